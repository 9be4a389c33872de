import { type CreatedUser, type DirectoryUser, demoUsers, type TokenResponse, type UserList } from "@clinic/contracts";
import type { AuthUser } from "@clinic/platform";
import { createTestTokens } from "@clinic/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, login, type TestApp } from "../test-app.ts";
import { hashPassword } from "./password.ts";

const { admin, doctor, doctor2, patient } = demoUsers;
const hour = 3600_000;
const passwordLimit = 40;

/** Clinic B: created as fixtures in the database (the CLI's job, tested with the CLI). */
const clinicB = { id: "clinic-b", name: "Clinic B" };
const adminB: AuthUser = {
  id: "adm_b",
  role: "ADMIN",
  name: "Bea Admin",
  email: "bea@clinic-b.test",
  clinic_id: clinicB.id,
};
const doctorB: AuthUser = {
  id: "doc_b",
  role: "DOCTOR",
  name: "Dr. Bo",
  email: "bo@clinic-b.test",
  clinic_id: clinicB.id,
};

describe("people directory and provisioning (/api/auth/users, /directory, /password)", () => {
  let t: TestApp;
  let signer: Awaited<ReturnType<typeof createTestTokens>>;
  // The service's clock: links expire by it (the tokens' own lifetimes are checked in real time).
  let offset = 0;
  /** Names, emails, passwords and link tokens this suite used: none may reach a log line. */
  const secrets: string[] = [];

  const bearer = async (user: AuthUser) => ({ authorization: `Bearer ${await signer.sign(user)}` });
  const as = async (
    user: AuthUser | undefined,
    method: "GET" | "POST" | "PATCH",
    url: string,
    payload?: Record<string, unknown>,
  ) =>
    t.app.inject({
      method,
      url,
      headers: user ? await bearer(user) : {},
      ...(payload !== undefined ? { payload } : {}),
    });
  const tokenOf = (url: string) => url.split("#")[1] ?? "";
  const setPassword = (token: string, password: string) =>
    t.app.inject({ method: "POST", url: "/api/auth/password", payload: { token, password } });
  let counter = 0;
  /** A new person of the demo clinic, created by its admin over HTTP. */
  const create = async (role: "DOCTOR" | "PATIENT" | "ADMIN" = "PATIENT") => {
    counter += 1;
    const person = { role, name: `Person Number${counter} Testperson`, email: `person${counter}@people.test` };
    secrets.push(person.name, person.email);
    const res = await as(admin, "POST", "/api/auth/users", person);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<CreatedUser>();
    secrets.push(tokenOf(body.password_link.url));
    return { ...person, ...body, token: tokenOf(body.password_link.url) };
  };
  const audit = (where: { action?: string; target?: string } = {}) => {
    let q = t.db.selectFrom("user_audit").selectAll();
    if (where.action) q = q.where("action", "=", where.action);
    if (where.target) q = q.where("target_user_id", "=", where.target);
    return q.orderBy("id").execute();
  };

  beforeAll(async () => {
    signer = await createTestTokens({ kid: "people-test" });
    t = await buildTestApp(
      // The password limit shares login's per-window maximum; raised so this suite's uses fit.
      { AUTH_SIGNING_KEY: signer.signingKey, LOGIN_RATE_LIMIT_MAX: String(passwordLimit) },
      { now: () => new Date(Date.now() + offset) },
    );
    await t.db.insertInto("clinics").values(clinicB).execute();
    for (const person of [adminB, doctorB]) {
      await t.db
        .insertInto("users")
        .values({ ...person, password_hash: await hashPassword("clinic-b-password", { log2N: 10, r: 8, p: 1 }) })
        .execute();
    }
  });
  afterAll(() => t?.close());

  describe("creating a person and their set-password link", () => {
    it("creates the person in the admin's clinic without a password, and answers a one-time link", async () => {
      const before = Date.now();
      const created = await create("DOCTOR");
      expect(created.user).toEqual({
        id: expect.any(String),
        role: "DOCTOR",
        name: created.name,
        email: created.email,
        clinic_id: admin.clinic_id,
        active: true,
        has_password: false,
        created_at: expect.any(String),
        deactivated_at: null,
      });
      expect(created.password_link.url).toMatch(/^http:\/\/localhost:8000\/set-password#[A-Za-z0-9_-]{43}$/);
      const expires = Date.parse(created.password_link.expires_at);
      expect(expires).toBeGreaterThanOrEqual(before + 72 * hour - 1000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 72 * hour + 1000);
      // Only the token's hash is stored.
      const links = await t.db
        .selectFrom("password_links")
        .selectAll()
        .where("user_id", "=", created.user.id)
        .execute();
      expect(links).toHaveLength(1);
      expect(links[0]?.purpose).toBe("SET");
      expect(links[0]?.token_hash).not.toBe(created.token);
      expect(JSON.stringify(links)).not.toContain(created.token);
      // No password yet: sign-in fails exactly like a wrong password.
      const refused = await login(t.app, created.email, "anything-at-all");
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
    });

    it("answers the link with no-store, and refuses a taken email whatever its case", async () => {
      const first = await as(admin, "POST", "/api/auth/users", {
        role: "PATIENT",
        name: "Casey Case",
        email: "casey@people.test",
      });
      expect(first.statusCode).toBe(201);
      expect(first.headers["cache-control"]).toBe("no-store");
      secrets.push("Casey Case", "casey@people.test", tokenOf(first.json<CreatedUser>().password_link.url));
      const again = await as(admin, "POST", "/api/auth/users", {
        role: "DOCTOR",
        name: "Other Casey",
        email: "CASEY@people.test",
      });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ status: 409, code: "EMAIL_TAKEN" });
      // A demo person's email too.
      const demo = await as(admin, "POST", "/api/auth/users", { role: "PATIENT", name: "X Y", email: patient.email });
      expect(demo.json()).toMatchObject({ code: "EMAIL_TAKEN" });
    });

    it("refuses bad input with a 400", async () => {
      for (const body of [
        {},
        { role: "NURSE", name: "A B", email: "a@b.test" },
        { role: "PATIENT", name: "   ", email: "a@b.test" },
        { role: "PATIENT", name: "A\u0000B", email: "a@b.test" },
        { role: "PATIENT", name: "A B", email: "not-an-email" },
        { role: "PATIENT", name: "A B", email: "a@b.test", clinic_id: clinicB.id },
      ]) {
        const res = await as(admin, "POST", "/api/auth/users", body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json()).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
      }
    });

    it("sets the password with the link once; the person then signs in", async () => {
      const created = await create();
      const short = await setPassword(created.token, "too-short");
      expect(short.statusCode).toBe(400);
      expect(short.json()).toMatchObject({ code: "VALIDATION_FAILED" });
      const password = "a long enough password";
      secrets.push(password);
      expect((await setPassword(created.token, password)).statusCode).toBe(204);
      const signedIn = await login(t.app, created.email, password);
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.json<TokenResponse>().user).toMatchObject({ id: created.user.id, role: "PATIENT" });
      // Used up.
      const again = await setPassword(created.token, "another long password");
      expect(again.statusCode).toBe(400);
      expect(again.json()).toMatchObject({ status: 400, code: "PASSWORD_LINK_INVALID" });
      expect((await login(t.app, created.email, password)).statusCode).toBe(200);
      const read = await as(admin, "GET", `/api/auth/users/${created.user.id}`);
      expect(read.json<DirectoryUser>().has_password).toBe(true);
    });

    it("of two concurrent uses of one link exactly one wins", async () => {
      const created = await create();
      const [a, b] = await Promise.all([
        setPassword(created.token, "first concurrent password"),
        setPassword(created.token, "second concurrent password"),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([204, 400]);
      const loser = a.statusCode === 400 ? a : b;
      expect(loser.json()).toMatchObject({ code: "PASSWORD_LINK_INVALID" });
      const winner = a.statusCode === 204 ? "first concurrent password" : "second concurrent password";
      const other = a.statusCode === 204 ? "second concurrent password" : "first concurrent password";
      expect((await login(t.app, created.email, winner)).statusCode).toBe(200);
      expect((await login(t.app, created.email, other)).statusCode).toBe(401);
      const rows = await t.db
        .selectFrom("password_links")
        .select("used_at")
        .where("user_id", "=", created.user.id)
        .execute();
      expect(rows.map((r) => r.used_at !== null)).toEqual([true]);
    });

    it("refuses an unknown token and an expired link (by the service's clock)", async () => {
      const unknown = await setPassword("A".repeat(43), "a long enough password");
      expect(unknown.json()).toMatchObject({ status: 400, code: "PASSWORD_LINK_INVALID" });
      const early = await create();
      const late = await create();
      try {
        offset = 72 * hour - 60_000;
        expect((await setPassword(early.token, "just in time password")).statusCode).toBe(204);
        offset = 72 * hour + 1000;
        const expired = await setPassword(late.token, "one second too late");
        expect(expired.statusCode).toBe(400);
        expect(expired.json()).toMatchObject({ status: 400, code: "PASSWORD_LINK_EXPIRED" });
      } finally {
        offset = 0;
      }
      expect((await login(t.app, late.email, "one second too late")).statusCode).toBe(401);
    });
  });

  it("limits uses of links per client address", async () => {
    const attempt = () =>
      t.app.inject({
        method: "POST",
        url: "/api/auth/password",
        payload: { token: "B".repeat(43), password: "a long enough password" },
        remoteAddress: "198.51.100.7",
      });
    for (let i = 0; i < passwordLimit; i += 1) expect((await attempt()).statusCode).toBe(400);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ status: 429, code: "RATE_LIMITED", retry_after: expect.any(Number) });
    expect(limited.headers["retry-after"]).toBeDefined();
    // Another address is not affected.
    expect((await setPassword("C".repeat(43), "a long enough password")).statusCode).toBe(400);
  });

  describe("password reset by an admin", () => {
    it("a new link makes the older ones worthless, and setting the password ends every login", async () => {
      const created = await create();
      const first = created.token;
      const reset = await as(admin, "POST", `/api/auth/users/${created.user.id}/password-link`);
      expect(reset.statusCode).toBe(201);
      expect(reset.headers["cache-control"]).toBe("no-store");
      const second = tokenOf(reset.json<{ url: string }>().url);
      secrets.push(second);
      expect(second).not.toBe(first);
      expect((await setPassword(first, "the older link's password")).json()).toMatchObject({
        code: "PASSWORD_LINK_INVALID",
      });
      expect((await setPassword(second, "original password here")).statusCode).toBe(204);
      const session = (await login(t.app, created.email, "original password here")).json<TokenResponse>();

      // A reset after a password exists: RESET, and the live login ends when it is used.
      const again = await as(admin, "POST", `/api/auth/users/${created.user.id}/password-link`);
      const third = tokenOf(again.json<{ url: string }>().url);
      secrets.push(third);
      expect((await setPassword(third, "the replaced password")).statusCode).toBe(204);
      const refresh = await t.app.inject({
        method: "POST",
        url: "/api/auth/refresh",
        payload: { refresh_token: session.refresh_token },
      });
      expect(refresh.statusCode).toBe(401);
      expect((await login(t.app, created.email, "original password here")).statusCode).toBe(401);
      expect((await login(t.app, created.email, "the replaced password")).statusCode).toBe(200);
      const families = await t.db
        .selectFrom("refresh_token_families")
        .select(["revoked_reason"])
        .where("user_id", "=", created.user.id)
        .orderBy("created_at")
        .execute();
      expect(families[0]?.revoked_reason).toBe("PASSWORD_CHANGED");
      const purposes = await t.db
        .selectFrom("password_links")
        .select("purpose")
        .where("user_id", "=", created.user.id)
        .orderBy("created_at")
        .execute();
      expect(purposes.map((p) => p.purpose)).toEqual(["SET", "RESET"]);
    });

    it("refuses a link for a deactivated person and for an unknown id", async () => {
      const created = await create();
      expect((await as(admin, "PATCH", `/api/auth/users/${created.user.id}`, { active: false })).statusCode).toBe(200);
      const res = await as(admin, "POST", `/api/auth/users/${created.user.id}/password-link`);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: "USER_INACTIVE" });
      // Their pending link stopped working with the deactivation.
      expect((await setPassword(created.token, "a long enough password")).json()).toMatchObject({
        code: "PASSWORD_LINK_INVALID",
      });
      const unknown = await as(admin, "POST", "/api/auth/users/nobody/password-link");
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ code: "USER_NOT_FOUND" });
    });
  });

  describe("deactivation", () => {
    it("ends the person's logins at once; login then says ACCOUNT_DEACTIVATED; reactivation restores it", async () => {
      const session = (await login(t.app, doctor2.email, doctor2.password)).json<TokenResponse>();
      const off = await as(admin, "PATCH", `/api/auth/users/${doctor2.id}`, { active: false });
      expect(off.statusCode).toBe(200);
      expect(off.json<DirectoryUser>()).toMatchObject({
        id: doctor2.id,
        active: false,
        deactivated_at: expect.any(String),
      });

      const refresh = await t.app.inject({
        method: "POST",
        url: "/api/auth/refresh",
        payload: { refresh_token: session.refresh_token },
      });
      expect(refresh.statusCode).toBe(401);
      const families = await t.db
        .selectFrom("refresh_token_families")
        .select(["revoked_reason", "revoked_at"])
        .where("user_id", "=", doctor2.id)
        .execute();
      expect(families.length).toBeGreaterThan(0);
      expect(families.every((f) => f.revoked_reason === "DEACTIVATED" && f.revoked_at)).toBe(true);

      const right = await login(t.app, doctor2.email, doctor2.password);
      expect(right.statusCode).toBe(401);
      expect(right.json()).toEqual({
        error: "This account has been deactivated; ask your clinic's administrator",
        status: 401,
        code: "ACCOUNT_DEACTIVATED",
      });
      const wrong = await login(t.app, doctor2.email, "not the password");
      expect(wrong.json()).toMatchObject({ status: 401, code: "INVALID_CREDENTIALS" });

      // The booking picker leaves them out; a lookup by id says they are inactive.
      const picker = await as(doctor, "GET", "/api/auth/directory?role=DOCTOR");
      expect(picker.json<{ users: { id: string }[] }>().users.map((u) => u.id)).not.toContain(doctor2.id);
      const person = await as(doctor, "GET", `/api/auth/directory/${doctor2.id}`);
      expect(person.json()).toMatchObject({ id: doctor2.id, active: false, role: "DOCTOR" });

      const on = await as(admin, "PATCH", `/api/auth/users/${doctor2.id}`, { active: true });
      expect(on.json<DirectoryUser>()).toMatchObject({ active: true, deactivated_at: null });
      expect((await login(t.app, doctor2.email, doctor2.password)).statusCode).toBe(200);
      // The old login stays ended.
      const stale = await t.app.inject({
        method: "POST",
        url: "/api/auth/refresh",
        payload: { refresh_token: session.refresh_token },
      });
      expect(stale.statusCode).toBe(401);
    });

    it("an admin cannot deactivate or demote themselves, but may rename themselves", async () => {
      for (const change of [{ active: false }, { role: "DOCTOR" }, { role: "PATIENT", name: "Still Admin" }]) {
        const res = await as(admin, "PATCH", `/api/auth/users/${admin.id}`, change);
        expect(res.statusCode, JSON.stringify(change)).toBe(409);
        expect(res.json()).toMatchObject({ status: 409, code: "CANNOT_CHANGE_OWN_ACCOUNT" });
      }
      const row = await t.db.selectFrom("users").selectAll().where("id", "=", admin.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ role: "ADMIN", active: true, name: admin.name });
      const renamed = await as(admin, "PATCH", `/api/auth/users/${admin.id}`, {
        name: "Clinic Admin Renamed",
        role: "ADMIN",
      });
      expect(renamed.statusCode).toBe(200);
      await as(admin, "PATCH", `/api/auth/users/${admin.id}`, { name: admin.name });
    });

    it("edits name, email and role; refuses a taken email and an empty change", async () => {
      const created = await create();
      const edited = await as(admin, "PATCH", `/api/auth/users/${created.user.id}`, {
        name: "Renamed Person",
        email: "Renamed@People.test",
        role: "DOCTOR",
      });
      secrets.push("Renamed Person", "renamed@people.test");
      expect(edited.statusCode).toBe(200);
      expect(edited.json<DirectoryUser>()).toMatchObject({
        name: "Renamed Person",
        email: "renamed@people.test",
        role: "DOCTOR",
        active: true,
      });
      const taken = await as(admin, "PATCH", `/api/auth/users/${created.user.id}`, {
        email: doctor.email.toUpperCase(),
      });
      expect(taken.statusCode).toBe(409);
      expect(taken.json()).toMatchObject({ code: "EMAIL_TAKEN" });
      const empty = await as(admin, "PATCH", `/api/auth/users/${created.user.id}`, {});
      expect(empty.statusCode).toBe(400);
      const unknownField = await as(admin, "PATCH", `/api/auth/users/${created.user.id}`, { clinic_id: clinicB.id });
      expect(unknownField.statusCode).toBe(400);
    });
  });

  describe("who may do what", () => {
    const someone = () => patient.id;
    const provisioning = () =>
      [
        ["GET", "/api/auth/users"],
        ["POST", "/api/auth/users", { role: "PATIENT", name: "Not Created", email: "not-created@people.test" }],
        ["GET", `/api/auth/users/${someone()}`],
        ["PATCH", `/api/auth/users/${someone()}`, { name: "Changed By Someone" }],
        ["POST", `/api/auth/users/${someone()}/password-link`],
      ] as const;

    it("doctors and patients get 403 on every /users operation; nobody without a token gets in", async () => {
      for (const user of [doctor, patient, doctorB]) {
        for (const [method, url, body] of provisioning()) {
          const res = await as(user, method, url, body);
          expect(res.statusCode, `${user.id} ${method} ${url}`).toBe(403);
          expect(res.json()).toMatchObject({ status: 403, code: "FORBIDDEN" });
        }
      }
      for (const [method, url, body] of provisioning()) {
        expect((await as(undefined, method, url, body)).statusCode).toBe(401);
      }
      expect(
        await t.db.selectFrom("users").select("id").where("email", "=", "not-created@people.test").execute(),
      ).toEqual([]);
      const row = await t.db.selectFrom("users").select("name").where("id", "=", patient.id).executeTakeFirstOrThrow();
      expect(row.name).toBe(patient.name);
    });

    it("patients get 403 on the directory; doctors and admins read their own clinic's", async () => {
      for (const url of ["/api/auth/directory", `/api/auth/directory/${doctor.id}`]) {
        const res = await as(patient, "GET", url);
        expect(res.statusCode).toBe(403);
        expect(res.json()).toMatchObject({ code: "FORBIDDEN" });
      }
      for (const user of [doctor, admin]) {
        const res = await as(user, "GET", "/api/auth/directory?role=PATIENT&q=john");
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({
          users: [{ id: patient.id, role: "PATIENT", name: patient.name, email: patient.email }],
        });
      }
      const one = await as(doctor, "GET", `/api/auth/directory/${patient.id}`);
      expect(one.json()).toEqual({
        id: patient.id,
        role: "PATIENT",
        name: patient.name,
        email: patient.email,
        clinic_id: patient.clinic_id,
        active: true,
      });
    });

    it("another clinic's people do not exist for an admin or doctor: 404 like an unknown id, nothing changed", async () => {
      const unknown = await as(adminB, "GET", "/api/auth/users/nobody-at-all");
      expect(unknown.statusCode).toBe(404);
      for (const [method, url, body] of provisioning().slice(2)) {
        const res = await as(adminB, method, url, body);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json()).toEqual(unknown.json());
      }
      for (const user of [adminB, doctorB]) {
        const res = await as(user, "GET", `/api/auth/directory/${patient.id}`);
        expect(res.statusCode).toBe(404);
        expect(res.json()).toMatchObject({ code: "USER_NOT_FOUND" });
      }
      const row = await t.db.selectFrom("users").select("name").where("id", "=", patient.id).executeTakeFirstOrThrow();
      expect(row.name).toBe(patient.name);
      expect(await t.db.selectFrom("password_links").select("id").where("user_id", "=", patient.id).execute()).toEqual(
        [],
      );
      // Lists hold their own clinic only, in both directions.
      const listB = (await as(adminB, "GET", "/api/auth/users")).json<UserList>();
      expect(listB.users.map((u) => u.id).sort()).toEqual([adminB.id, doctorB.id]);
      expect(listB.total).toBe(2);
      const directoryB = await as(doctorB, "GET", "/api/auth/directory");
      expect(
        directoryB
          .json<{ users: { id: string }[] }>()
          .users.map((u) => u.id)
          .sort(),
      ).toEqual([adminB.id, doctorB.id]);
      const listA = (await as(admin, "GET", "/api/auth/users?limit=200")).json<UserList>();
      expect(listA.users.map((u) => u.id)).not.toContain(adminB.id);
      expect(listA.users.every((u) => u.clinic_id === admin.clinic_id)).toBe(true);
      const peek = await as(admin, "GET", `/api/auth/users/${adminB.id}`);
      expect(peek.statusCode).toBe(404);
    });

    it("a person created by an admin always lands in the admin's own clinic", async () => {
      const res = await as(adminB, "POST", "/api/auth/users", {
        role: "PATIENT",
        name: "Bee Patient",
        email: "bee@clinic-b.test",
      });
      secrets.push("Bee Patient", "bee@clinic-b.test", tokenOf(res.json<CreatedUser>().password_link.url));
      expect(res.json<CreatedUser>().user.clinic_id).toBe(clinicB.id);
      // A token naming a clinic this service does not know creates nothing.
      const ghost: AuthUser = { ...adminB, id: "adm_ghost", clinic_id: "clinic-ghost" };
      const refused = await as(ghost, "POST", "/api/auth/users", { role: "PATIENT", name: "G H", email: "g@h.test" });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ code: "CLINIC_NOT_FOUND" });
    });
  });

  describe("listing", () => {
    it("filters by role, active and text (wildcards literal), orders by name, pages", async () => {
      const list = async (query: string) => (await as(admin, "GET", `/api/auth/users?${query}`)).json<UserList>();
      const all = await list("limit=200");
      const names = all.users.map((u) => u.name);
      expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(all.total).toBe(all.users.length);
      const doctors = await list("role=DOCTOR&limit=200");
      expect(doctors.users.length).toBeGreaterThan(0);
      expect(doctors.users.every((u) => u.role === "DOCTOR")).toBe(true);
      const inactive = await list("active=false&limit=200");
      expect(inactive.users.length).toBeGreaterThan(0);
      expect(inactive.users.every((u) => !u.active)).toBe(true);
      const byEmail = await list("q=DEMO.CLINIC");
      expect(byEmail.users.map((u) => u.id).sort()).toEqual([admin.id, doctor.id, doctor2.id, patient.id].sort());
      // `%` and `_` are what they are, not patterns.
      expect((await list("q=%25")).total).toBe(0);
      expect((await list("q=_")).total).toBe(0);
      const page = await list("limit=2&offset=1");
      expect(page).toMatchObject({ total: all.total, limit: 2, offset: 1 });
      expect(page.users.map((u) => u.id)).toEqual(all.users.slice(1, 3).map((u) => u.id));
      for (const bad of ["limit=201", "limit=0", "offset=-1", "role=NURSE", "active=maybe", "q=", "color=red"]) {
        const res = await as(admin, "GET", `/api/auth/users?${bad}`);
        expect(res.statusCode, bad).toBe(400);
      }
      for (const bad of ["limit=51", "role=ADMIN"]) {
        expect((await as(doctor, "GET", `/api/auth/directory?${bad}`)).statusCode, bad).toBe(400);
      }
    });
  });

  describe("the record", () => {
    it("audits allowed and refused decisions, naming people by id only, and cannot be rewritten", async () => {
      const rows = await audit();
      const has = (match: Partial<(typeof rows)[number]>) =>
        rows.some((r) => Object.entries(match).every(([k, v]) => r[k as keyof typeof r] === v));
      expect(has({ action: "CREATE", outcome: "ALLOWED", actor_id: admin.id, actor_role: "ADMIN" })).toBe(true);
      expect(has({ action: "CREATE", outcome: "DENIED", reason: "EMAIL_TAKEN" })).toBe(true);
      expect(has({ action: "CREATE", outcome: "DENIED", reason: "ROLE_NOT_ALLOWED", actor_id: doctor.id })).toBe(true);
      expect(has({ action: "DEACTIVATE", outcome: "ALLOWED", target_user_id: doctor2.id })).toBe(true);
      expect(has({ action: "REACTIVATE", outcome: "ALLOWED", target_user_id: doctor2.id })).toBe(true);
      expect(has({ action: "DEACTIVATE", outcome: "DENIED", reason: "OWN_ACCOUNT", target_user_id: admin.id })).toBe(
        true,
      );
      expect(has({ action: "READ", outcome: "DENIED", reason: "OTHER_CLINIC", actor_id: adminB.id })).toBe(true);
      expect(has({ action: "READ", outcome: "DENIED", reason: "NOT_FOUND", target_user_id: "nobody-at-all" })).toBe(
        true,
      );
      expect(has({ action: "UPDATE", outcome: "DENIED", reason: "OTHER_CLINIC", target_user_id: patient.id })).toBe(
        true,
      );
      expect(has({ action: "PASSWORD_LINK", outcome: "ALLOWED", actor_id: admin.id })).toBe(true);
      expect(has({ action: "PASSWORD_LINK", outcome: "DENIED", reason: "USER_INACTIVE" })).toBe(true);
      expect(has({ action: "PASSWORD_SET", outcome: "ALLOWED" })).toBe(true);
      expect(has({ action: "PASSWORD_SET", outcome: "DENIED", reason: "LINK_EXPIRED" })).toBe(true);
      expect(has({ action: "PASSWORD_SET", outcome: "DENIED", reason: "LINK_INVALID", actor_id: "anonymous" })).toBe(
        true,
      );
      expect(has({ action: "DIRECTORY_LIST", outcome: "DENIED", actor_id: patient.id })).toBe(true);
      expect(
        has({ action: "DIRECTORY_READ", outcome: "ALLOWED", actor_id: doctor.id, target_user_id: patient.id }),
      ).toBe(true);
      expect(has({ action: "DIRECTORY_READ", outcome: "DENIED", reason: "OTHER_CLINIC", actor_id: doctorB.id })).toBe(
        true,
      );
      expect(has({ action: "LIST", outcome: "ALLOWED", actor_id: adminB.id, clinic_id: clinicB.id })).toBe(true);
      // Every HTTP decision names its request.
      expect(rows.filter((r) => r.action !== "PASSWORD_SET").every((r) => r.request_id)).toBe(true);
      const text = JSON.stringify(rows);
      for (const secret of [...secrets, admin.email, patient.name, doctor2.name]) expect(text).not.toContain(secret);

      await expect(t.db.updateTable("user_audit").set({ outcome: "ALLOWED" }).execute()).rejects.toThrow(/append-only/);
      await expect(t.db.deleteFrom("user_audit").execute()).rejects.toThrow(/append-only/);
      await expect(sql`TRUNCATE user_audit`.execute(t.db)).rejects.toThrow(/append-only/);
    });

    it("no name, email, password or link token reaches the logs", () => {
      const text = t.logs.text();
      expect(t.logs.lines.length).toBeGreaterThan(20);
      expect(text).toContain("/api/auth/password");
      for (const secret of secrets) expect(text).not.toContain(secret);
    });
  });
});

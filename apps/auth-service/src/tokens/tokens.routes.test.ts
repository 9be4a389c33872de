import { demoUsers, type TokenResponse } from "@clinic/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, login, type TestApp } from "../test-app.ts";

const { doctor, patient, admin } = demoUsers;
/** The default delivery ("body"): the refresh token is in the JSON. */
type BodyTokens = TokenResponse & { refresh_token: string };

describe("POST /api/auth/login", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ LOGIN_RATE_LIMIT_MAX: "3", LOGIN_RATE_LIMIT_WINDOW_SEC: "300" });
  });
  afterAll(() => t.close());

  it("returns tokens and the user for the right password", async () => {
    const res = await login(t.app, doctor.email, doctor.password);
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = res.json<BodyTokens>();
    expect(body).toMatchObject({
      token_type: "Bearer",
      expires_in: 900,
      user: { id: doctor.id, role: "DOCTOR", name: doctor.name, email: doctor.email, clinic_id: "clinic-demo" },
    });
    expect(body.access_token.split(".")).toHaveLength(3);
    expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.keys(body.user).sort()).toEqual(["clinic_id", "email", "id", "name", "role"]);
  });

  it("matches the email whatever its case", async () => {
    const res = await login(t.app, "Patient@DEMO.clinic", patient.password);
    expect(res.statusCode).toBe(200);
    expect(res.json<BodyTokens>().user.id).toBe(patient.id);
  });

  it("answers a wrong password and an unknown email identically", async () => {
    const wrong = await login(t.app, admin.email, "not-the-password");
    const unknown = await login(t.app, "nobody@demo.clinic", "not-the-password");
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: "Email or password is incorrect", status: 401, code: "INVALID_CREDENTIALS" });
    expect(unknown.body).toBe(wrong.body);
    expect(unknown.headers["content-type"]).toBe(wrong.headers["content-type"]);
  });

  it.each([
    ["a missing password", { email: doctor.email }],
    ["an empty password", { email: doctor.email, password: "" }],
    ["an email that is not one", { email: "doctor", password: "x" }],
    ["an unknown field", { email: doctor.email, password: doctor.password, remember: true }],
  ])("refuses %s with 400 VALIDATION_FAILED", async (_name, payload) => {
    const res = await t.app.inject({ method: "POST", url: "/api/auth/login", payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, code: "VALIDATION_FAILED", error: expect.any(String) });
  });

  it("limits attempts per address and email: 429 RATE_LIMITED after the maximum", async () => {
    const ip = "203.0.113.7";
    for (let i = 0; i < 3; i++) {
      expect((await login(t.app, doctor.email, `guess-${i}`, ip)).statusCode).toBe(401);
    }
    const limited = await login(t.app, doctor.email, "guess-4", ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ status: 429, code: "RATE_LIMITED", error: expect.any(String) });
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // The right password does not get through the limit either.
    expect((await login(t.app, doctor.email, doctor.password, ip)).statusCode).toBe(429);
    // Other people behind the same address, and the same person elsewhere, can still sign in.
    expect((await login(t.app, patient.email, patient.password, ip)).statusCode).toBe(200);
    expect((await login(t.app, doctor.email, doctor.password, "198.51.100.9")).statusCode).toBe(200);
  });
});

describe("login limit per address", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ LOGIN_RATE_LIMIT_MAX: "3", LOGIN_RATE_LIMIT_ADDRESS_MAX: "5" });
  });
  afterAll(() => t.close());

  it("stops one address trying many emails, and only that address", async () => {
    const sprayer = "192.0.2.50";
    for (let i = 0; i < 5; i++) {
      expect((await login(t.app, `person${i}@demo.clinic`, "Winter2026!", sprayer)).statusCode).toBe(401);
    }
    const limited = await login(t.app, doctor.email, doctor.password, sprayer);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ status: 429, code: "RATE_LIMITED" });
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect((await login(t.app, doctor.email, doctor.password, "192.0.2.51")).statusCode).toBe(200);
  });
});

describe("POST /api/auth/refresh and /logout", () => {
  let t: TestApp;
  const refresh = (token: string) =>
    t.app.inject({ method: "POST", url: "/api/auth/refresh", payload: { refresh_token: token } });
  const logout = (token: string) =>
    t.app.inject({ method: "POST", url: "/api/auth/logout", payload: { refresh_token: token } });
  const me = (accessToken: string) =>
    t.app.inject({ method: "GET", url: "/api/auth/me", headers: { authorization: `Bearer ${accessToken}` } });
  const signIn = async () => (await login(t.app, doctor.email, doctor.password)).json<BodyTokens>();

  beforeAll(async () => {
    // Without the grace window, so a token presented again at once is reuse (the window: refresh-cookie.routes.test.ts).
    t = await buildTestApp({ REFRESH_REUSE_GRACE_S: "0" });
  });
  afterAll(() => t.close());

  it("rotates: a new refresh token and a working access token, same user", async () => {
    const first = await signIn();
    const res = await refresh(first.refresh_token);
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const second = res.json<BodyTokens>();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.user).toEqual(first.user);
    expect((await me(second.access_token)).statusCode).toBe(200);
    // And the rotated token rotates in turn.
    expect((await refresh(second.refresh_token)).statusCode).toBe(200);
  });

  it("reuse of a rotated token ends the family: the newest token stops working too", async () => {
    const first = await signIn();
    const second = (await refresh(first.refresh_token)).json<BodyTokens>();
    const reused = await refresh(first.refresh_token);
    expect(reused.statusCode).toBe(401);
    expect(reused.json()).toMatchObject({ status: 401, code: "REFRESH_TOKEN_REUSED", error: expect.any(String) });
    const newest = await refresh(second.refresh_token);
    expect(newest.statusCode).toBe(401);
    expect(newest.json()).toMatchObject({ status: 401, code: "INVALID_REFRESH_TOKEN" });
  });

  it("reuse in one login leaves the person's other logins alone", async () => {
    const phone = await signIn();
    const laptop = await signIn();
    await refresh(phone.refresh_token);
    expect((await refresh(phone.refresh_token)).statusCode).toBe(401);
    expect((await refresh(laptop.refresh_token)).statusCode).toBe(200);
  });

  it("logout revokes the family (204) and is idempotent", async () => {
    const first = await signIn();
    const second = (await refresh(first.refresh_token)).json<BodyTokens>();
    const res = await logout(second.refresh_token);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    const after = await refresh(second.refresh_token);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ status: 401, code: "INVALID_REFRESH_TOKEN" });
    expect((await logout(second.refresh_token)).statusCode).toBe(204);
    expect((await logout("never-issued")).statusCode).toBe(204);
  });

  it("refuses an unknown refresh token and a malformed body", async () => {
    const res = await refresh("A".repeat(43));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      error: "Refresh token is invalid, expired or revoked",
      status: 401,
      code: "INVALID_REFRESH_TOKEN",
    });
    const bad = await t.app.inject({ method: "POST", url: "/api/auth/refresh", payload: { token: "x" } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
  });
});

describe("refresh token lifetime", () => {
  let t: TestApp;
  let now = new Date();
  beforeAll(async () => {
    t = await buildTestApp({ REFRESH_TOKEN_TTL_SEC: "3600" }, { now: () => now });
  });
  afterAll(() => t.close());

  it("refuses a refresh token after REFRESH_TOKEN_TTL_SEC, and each rotation restarts the clock", async () => {
    now = new Date();
    const first = (await login(t.app, doctor.email, doctor.password)).json<BodyTokens>();
    now = new Date(now.getTime() + 50 * 60_000);
    const second = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: { refresh_token: first.refresh_token },
    });
    expect(second.statusCode).toBe(200);
    now = new Date(now.getTime() + 59 * 60_000);
    const third = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: { refresh_token: second.json<BodyTokens>().refresh_token },
    });
    expect(third.statusCode).toBe(200);
    now = new Date(now.getTime() + 61 * 60_000);
    const expired = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: { refresh_token: third.json<BodyTokens>().refresh_token },
    });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ status: 401, code: "INVALID_REFRESH_TOKEN" });
  });
});

describe("absolute login lifetime (SESSION_MAX_HOURS)", () => {
  let t: TestApp;
  let now = new Date();
  beforeAll(async () => {
    t = await buildTestApp({ SESSION_MAX_HOURS: "12", REFRESH_TOKEN_TTL_SEC: String(7 * 86400) }, { now: () => now });
  });
  afterAll(() => t.close());
  const refresh = (token: string) =>
    t.app.inject({ method: "POST", url: "/api/auth/refresh", payload: { refresh_token: token } });
  const later = (hours: number) => {
    now = new Date(now.getTime() + hours * 3600_000);
  };

  it("refuses a login older than SESSION_MAX_HOURS with 401 SESSION_EXPIRED, however often it was rotated", async () => {
    now = new Date();
    let token = (await login(t.app, doctor.email, doctor.password)).json<BodyTokens>().refresh_token;
    // Rotating every 3 hours keeps each refresh token fresh (7-day lifetime) …
    for (let i = 0; i < 3; i++) {
      later(3);
      const res = await refresh(token);
      expect(res.statusCode).toBe(200);
      token = res.json<BodyTokens>().refresh_token;
    }
    later(2.9);
    const lastInTime = await refresh(token);
    expect(lastInTime.statusCode).toBe(200);
    token = lastInTime.json<BodyTokens>().refresh_token;
    // … but 12 hours after the sign-in the login is over.
    later(0.2);
    const expired = await refresh(token);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toEqual({
      error: "This login is older than 12 hours; please sign in again",
      status: 401,
      code: "SESSION_EXPIRED",
    });
    // Signing in again starts a new login.
    const fresh = (await login(t.app, doctor.email, doctor.password)).json<BodyTokens>();
    expect((await refresh(fresh.refresh_token)).statusCode).toBe(200);
  });
});

describe("login failures", () => {
  let t: TestApp;
  const failures: string[] = [];
  beforeAll(async () => {
    t = await buildTestApp({ LOGIN_RATE_LIMIT_MAX: "2" }, { onLoginFailure: (reason) => failures.push(reason) });
  });
  afterAll(() => t.close());

  it("are reported once each, with the reason (wrong credentials, rate limited) and nothing else", async () => {
    const ip = "203.0.113.90";
    expect((await login(t.app, doctor.email, doctor.password, ip)).statusCode).toBe(200);
    expect(failures).toEqual([]);
    expect((await login(t.app, doctor.email, "wrong-1", ip)).statusCode).toBe(401);
    expect((await login(t.app, "nobody@demo.clinic", "wrong-2", ip)).statusCode).toBe(401);
    expect(failures).toEqual(["INVALID_CREDENTIALS", "INVALID_CREDENTIALS"]);
    expect((await login(t.app, doctor.email, "wrong-3", ip)).statusCode).toBe(429);
    expect(failures).toEqual(["INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "RATE_LIMITED"]);
  });
});

import { createHash } from "node:crypto";
import { type Appointment, EventTypes, InviteLink, ResolvedInvite } from "@clinic/contracts";
import { makeEvent } from "@clinic/platform";
import { eventually } from "@clinic/platform/testing";
import { Value } from "typebox/value";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Person, people, startTestApp, type TestApp } from "../testing/test-app.ts";

let t: TestApp;
/** The service's clock: moved forward to reach the end of a join window without waiting. */
let nowMs = Date.now();
const realStart = nowMs;

beforeAll(async () => {
  t = await startTestApp({ now: () => new Date(nowMs) });
});
afterAll(() => t.close());
beforeEach(() => {
  nowMs = realStart;
});

const at = (minutes: number) => new Date(nowMs + minutes * 60_000).toISOString();
type Headers = { authorization: string } | Record<string, never>;

async function request(method: "GET" | "POST" | "DELETE", url: string, headers: Headers = {}, payload?: object) {
  const res = await t.app.inject({
    method,
    url: `/api/appointments${url}`,
    headers,
    ...(payload ? { payload } : {}),
  });
  return { status: res.statusCode, body: res.body ? res.json() : undefined, headers: res.headers };
}
const as = (person: Person) => t.auth(person);

let slot = 0;
/** A video appointment of doctor and patient, each in its own hour (no overlaps). */
async function book(extra: object = {}, startMinutes?: number): Promise<Appointment> {
  slot += 120;
  const res = await request("POST", "", await as("doctor"), {
    patient_id: people.patient.id,
    patient_name: people.patient.name,
    start_time: at(startMinutes ?? slot),
    duration_minutes: 30,
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Appointment;
}

async function invite(appointmentId: string, person: Person = "doctor") {
  return request("POST", `/${appointmentId}/invites`, await as(person));
}
const tokenOf = (url: string) => url.slice(url.lastIndexOf("/") + 1);
const resolve = (token: unknown, remoteAddress = "10.1.0.1") =>
  t.app
    .inject({ method: "POST", url: "/api/appointments/invites/resolve", payload: { token }, remoteAddress })
    .then((res) => ({ status: res.statusCode, body: res.json(), headers: res.headers }));

async function newInvite(appointment: Appointment) {
  const created = await invite(appointment.id);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const token = tokenOf((created.body as InviteLink).url);
  const resolved = await resolve(token);
  expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
  return { token, link: created.body as InviteLink, resolved: resolved.body as ResolvedInvite };
}

/** An access token as the auth service issues for an invite (scope "invite"). */
const inviteAuth = (resolved: Pick<ResolvedInvite, "appointment_id" | "invite_id">) =>
  t.authAs(people.patient, { scope: "invite", appointment_id: resolved.appointment_id, invite_id: resolved.invite_id });

const audit = (appointmentId: string) =>
  t.app.appointments.database.db
    .selectFrom("appointment_audit")
    .select(["actor_id", "actor_role", "action", "outcome", "reason"])
    .where("appointment_id", "=", appointmentId)
    .orderBy("id")
    .execute();

async function publish(type: "started" | "completed", appointment: Appointment) {
  const sessionId = `sess-${appointment.id.slice(5)}`;
  const base = {
    appointment_id: appointment.id,
    session_id: sessionId,
    clinic_id: appointment.clinic_id,
    doctor_id: appointment.doctor_id,
    started_at: at(0),
  };
  await t.bus.publish(
    type === "started"
      ? makeEvent(EventTypes.consultationStarted, "video-service", base, appointment.id)
      : makeEvent(
          EventTypes.consultationCompleted,
          "video-service",
          { ...base, ended_at: at(1), duration_seconds: 60, duration_minutes: 1 },
          appointment.id,
        ),
  );
  const want = type === "started" ? "IN_PROGRESS" : "COMPLETED";
  await eventually(`appointment ${want}`, async () => {
    const res = await request("GET", `/${appointment.id}`, await as("doctor"));
    return (res.body as Appointment).status === want;
  });
}

describe("creating an invite", () => {
  it("gives the appointment's doctor a link whose 256-bit token is stored only as its hash", async () => {
    const appointment = await book();
    const res = await invite(appointment.id);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(Value.Check(InviteLink, res.body)).toBe(true);
    expect(res.headers["cache-control"]).toBe("no-store");
    const { url, expires_at } = res.body as InviteLink;
    expect(url).toMatch(/^http:\/\/localhost:8000\/join\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(url);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    // start + 30 min + INVITE_GRACE_AFTER_MIN (30)
    expect(expires_at).toBe(new Date(Date.parse(appointment.start_time) + 60 * 60_000).toISOString());

    const rows = await t.app.appointments.database.db
      .selectFrom("appointment_invites")
      .selectAll()
      .where("appointment_id", "=", appointment.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      clinic_id: "clinic-1",
      patient_id: people.patient.id,
      created_by: people.doctor.id,
      token_hash: createHash("sha256").update(token).digest("base64url"),
      revoked_at: null,
    });
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(await audit(appointment.id)).toContainEqual(
      expect.objectContaining({ action: "INVITE", outcome: "ALLOWED", actor_id: people.doctor.id }),
    );
    // Two invites are two different tokens.
    const second = await invite(appointment.id);
    expect(tokenOf((second.body as InviteLink).url)).not.toBe(token);
  });

  it("lets an admin of the clinic invite", async () => {
    const appointment = await book();
    expect((await invite(appointment.id, "admin")).status).toBe(201);
  });

  it("refuses another doctor and the patient (403), another clinic (404), and audits each refusal", async () => {
    const appointment = await book();
    for (const person of ["doctor2", "patient", "patient2"] as const) {
      const res = await invite(appointment.id, person);
      expect(res.status, person).toBe(403);
      expect(res.body).toMatchObject({ code: "FORBIDDEN" });
      const revoke = await request("DELETE", `/${appointment.id}/invites`, await as(person));
      expect(revoke.status, person).toBe(403);
    }
    for (const person of ["otherClinicDoctor", "otherClinicAdmin"] as const) {
      expect((await invite(appointment.id, person)).body).toMatchObject({ status: 404, code: "APPOINTMENT_NOT_FOUND" });
      const revoke = await request("DELETE", `/${appointment.id}/invites`, await as(person));
      expect(revoke.status).toBe(404);
    }
    expect((await invite("appt-00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await invite("not-an-id")).status).toBe(400);
    expect((await request("POST", `/${appointment.id}/invites`)).status).toBe(401);
    // No body but none (or {}): a text or form body acts on nothing.
    for (const method of ["POST", "DELETE"] as const) {
      const text = await t.app.inject({
        method,
        url: `/api/appointments/${appointment.id}/invites`,
        headers: { ...(await as("doctor")), "content-type": "text/plain" },
        payload: "revoke please",
      });
      expect(text.statusCode, method).toBe(400);
      expect(text.json()).toMatchObject({ code: "BODY_NOT_ALLOWED" });
    }
    const denied = (await audit(appointment.id)).filter((row) => row.outcome === "DENIED");
    expect(denied).toContainEqual(expect.objectContaining({ action: "INVITE", reason: "NOT_THEIRS" }));
    expect(denied).toContainEqual(expect.objectContaining({ action: "INVITE", reason: "ROLE_NOT_ALLOWED" }));
    expect(denied).toContainEqual(expect.objectContaining({ action: "REVOKE_INVITE", reason: "OTHER_CLINIC" }));
    const rows = await t.app.appointments.database.db
      .selectFrom("appointment_invites")
      .select("id")
      .where("appointment_id", "=", appointment.id)
      .execute();
    expect(rows).toEqual([]);
  });

  it("answers 409 APPOINTMENT_NOT_INVITABLE without video, once cancelled or completed, and after the window", async () => {
    const noVideo = await book({ video_enabled: false });
    expect((await invite(noVideo.id)).body).toMatchObject({ status: 409, code: "APPOINTMENT_NOT_INVITABLE" });

    const cancelled = await book();
    expect((await request("POST", `/${cancelled.id}/cancel`, await as("doctor"))).status).toBe(200);
    expect((await invite(cancelled.id)).body).toMatchObject({
      status: 409,
      code: "APPOINTMENT_NOT_INVITABLE",
      appointment_status: "CANCELLED",
    });

    const done = await book();
    await publish("completed", done);
    expect((await invite(done.id)).body).toMatchObject({ status: 409, appointment_status: "COMPLETED" });

    const running = await book();
    await publish("started", running);
    expect((await invite(running.id)).status).toBe(201);
    // Still IN_PROGRESS, but past start + duration + grace: nothing left to invite to.
    nowMs = Date.parse(running.start_time) + (30 + 30) * 60_000;
    expect((await invite(running.id)).body).toMatchObject({ status: 409, code: "APPOINTMENT_NOT_INVITABLE" });
  });
});

describe("resolving an invite", () => {
  it("answers what the link opens: the appointment as it is now, and audits the opening", async () => {
    const appointment = await book();
    const { resolved, link } = await newInvite(appointment);
    expect(Value.Check(ResolvedInvite, resolved)).toBe(true);
    expect(resolved).toMatchObject({
      appointment_id: appointment.id,
      clinic_id: "clinic-1",
      patient_id: people.patient.id,
      patient_name: people.patient.name,
      doctor_id: people.doctor.id,
      doctor_name: people.doctor.name,
      start_time: appointment.start_time,
      duration_minutes: 30,
      status: "SCHEDULED",
      session_id: null,
      expires_at: link.expires_at,
      // When it was made: carried into the invite-scoped token (participant control, video service).
      issued_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await audit(appointment.id)).toContainEqual({
      actor_id: people.patient.id,
      actor_role: "INVITE",
      action: "RESOLVE_INVITE",
      outcome: "ALLOWED",
      reason: null,
    });
  });

  it("answers 404 INVITE_NOT_FOUND for a token never issued and 400 for one that cannot be a token", async () => {
    const unknown = await resolve("A".repeat(43));
    expect(unknown).toMatchObject({ status: 404, body: { code: "INVITE_NOT_FOUND" } });
    expect((await resolve("not a token!")).status).toBe(400);
    expect((await resolve(42)).status).toBe(400);
    const extra = await t.app.inject({
      method: "POST",
      url: "/api/appointments/invites/resolve",
      payload: { token: "A".repeat(43), appointment_id: "x" },
    });
    expect(extra.statusCode).toBe(400);
  });

  it("answers 410 INVITE_REVOKED after a revoke, for every earlier invite of the appointment", async () => {
    const appointment = await book();
    const first = await newInvite(appointment);
    const second = await newInvite(appointment);
    const revoked = await request("DELETE", `/${appointment.id}/invites`, await as("admin"));
    expect(revoked.status).toBe(204);
    for (const { token } of [first, second]) {
      expect(await resolve(token)).toMatchObject({ status: 410, body: { code: "INVITE_REVOKED" } });
    }
    // A new invite after the revoke works again.
    await newInvite(appointment);
    expect(await audit(appointment.id)).toContainEqual(
      expect.objectContaining({ action: "REVOKE_INVITE", outcome: "ALLOWED", actor_id: people.admin.id }),
    );
    expect(await audit(appointment.id)).toContainEqual(
      expect.objectContaining({ action: "RESOLVE_INVITE", outcome: "DENIED", reason: "INVITE_REVOKED" }),
    );
  });

  it("expires with the join window (injected clock), and a reschedule moves the window", async () => {
    const appointment = await book({}, 60);
    const { token, link } = await newInvite(appointment);
    // One minute before the end of the window: still good.
    nowMs = Date.parse(link.expires_at) - 60_000;
    expect((await resolve(token)).status).toBe(200);
    nowMs = Date.parse(link.expires_at);
    expect(await resolve(token)).toMatchObject({ status: 410, body: { code: "INVITE_EXPIRED" } });

    // Rescheduled a day later: the same link works until the new window closes.
    nowMs = realStart;
    const later = new Date(Date.parse(appointment.start_time) + 10 * 24 * 3600_000).toISOString();
    const moved = await request("POST", `/${appointment.id}/reschedule`, await as("doctor"), { start_time: later });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    nowMs = Date.parse(link.expires_at) + 60_000;
    const after = await resolve(token);
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.body).toMatchObject({
      start_time: later,
      expires_at: new Date(Date.parse(later) + 60 * 60_000).toISOString(),
    });
    // Moved earlier: the window closes earlier too.
    nowMs = realStart;
    const earlier = at(5);
    expect(
      (await request("POST", `/${appointment.id}/reschedule`, await as("doctor"), { start_time: earlier })).status,
    ).toBe(200);
    nowMs = Date.parse(earlier) + 60 * 60_000;
    expect(await resolve(token)).toMatchObject({ status: 410, body: { code: "INVITE_EXPIRED" } });
  });

  it("answers 410 APPOINTMENT_CANCELLED after a cancel and CONSULTATION_ENDED once completed", async () => {
    const cancelled = await book();
    const a = await newInvite(cancelled);
    expect((await request("POST", `/${cancelled.id}/cancel`, await as("doctor"))).status).toBe(200);
    expect(await resolve(a.token)).toMatchObject({ status: 410, body: { code: "APPOINTMENT_CANCELLED" } });

    const held = await book();
    const b = await newInvite(held);
    await publish("started", held);
    const running = await resolve(b.token);
    expect(running.body).toMatchObject({ status: "IN_PROGRESS", session_id: `sess-${held.id.slice(5)}` });
    await publish("completed", held);
    expect(await resolve(b.token)).toMatchObject({ status: 410, body: { code: "CONSULTATION_ENDED" } });
  });

  it("limits lookups per client address (429 with Retry-After), other addresses unaffected", async () => {
    const address = "10.9.9.9";
    let refused: Awaited<ReturnType<typeof resolve>> | undefined;
    for (let i = 0; i < 70 && !refused; i++) {
      const res = await resolve("B".repeat(43), address);
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(404);
    }
    expect(refused?.body).toMatchObject({ code: "RATE_LIMITED" });
    expect(Number(refused?.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect((await resolve("B".repeat(43), "10.9.9.10")).status).toBe(404);
  });
});

describe("an invite holder's token on the appointments API", () => {
  it("reads its own appointment, nothing else, and only while the invite lives", async () => {
    const appointment = await book();
    const other = await book();
    const { resolved } = await newInvite(appointment);
    const headers = await inviteAuth(resolved);

    const own = await request("GET", `/${appointment.id}`, headers);
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body).toMatchObject({ id: appointment.id, status: "SCHEDULED" });
    // Another appointment of the very same patient: not this link's.
    expect((await request("GET", `/${other.id}`, headers)).body).toMatchObject({ status: 403, code: "FORBIDDEN" });
    // An id that does not exist: 403 as well, never a 404 that would tell ids apart.
    const unknown = "appt-00000000-0000-4000-8000-000000000000";
    expect((await request("GET", `/${unknown}`, headers)).body).toMatchObject({ status: 403, code: "FORBIDDEN" });
    for (const [method, url] of [
      ["GET", ""],
      ["POST", ""],
      ["POST", `/${appointment.id}/cancel`],
      ["POST", `/${appointment.id}/reschedule`],
      ["POST", `/${appointment.id}/invites`],
      ["DELETE", `/${appointment.id}/invites`],
    ] as const) {
      const res = await request(method, url, headers, method === "POST" ? {} : undefined);
      expect(res.body, `${method} ${url}`).toMatchObject({ status: 403, code: "INVITE_SCOPE" });
    }
    expect(await audit(other.id)).toContainEqual(
      expect.objectContaining({ action: "READ", outcome: "DENIED", reason: "INVITE_SCOPE" }),
    );

    // Expired (the window as it stands now), then revoked: 403 with the reason.
    nowMs = Date.parse(resolved.expires_at);
    expect((await request("GET", `/${appointment.id}`, headers)).body).toMatchObject({
      status: 403,
      code: "INVITE_EXPIRED",
    });
    nowMs = realStart;
    expect((await request("DELETE", `/${appointment.id}/invites`, await as("doctor"))).status).toBe(204);
    expect((await request("GET", `/${appointment.id}`, headers)).body).toMatchObject({
      status: 403,
      code: "INVITE_REVOKED",
    });
    expect(await audit(appointment.id)).toContainEqual(
      expect.objectContaining({ action: "READ", outcome: "DENIED", reason: "INVITE_REVOKED" }),
    );
  });

  it("refuses a token naming an invite of another appointment or an unknown invite", async () => {
    const appointment = await book();
    const other = await book();
    const { resolved } = await newInvite(other);
    // The claims say this appointment, the invite is the other one's.
    const mixed = await t.authAs(people.patient, {
      scope: "invite",
      appointment_id: appointment.id,
      invite_id: resolved.invite_id,
    });
    expect((await request("GET", `/${appointment.id}`, mixed)).status).toBe(403);
    const unknown = await t.authAs(people.patient, {
      scope: "invite",
      appointment_id: appointment.id,
      invite_id: "00000000-0000-4000-8000-000000000000",
    });
    expect((await request("GET", `/${appointment.id}`, unknown)).status).toBe(403);
  });

  it("still shows a cancelled appointment to its live invite (the page says so), not to others", async () => {
    const appointment = await book();
    const { resolved } = await newInvite(appointment);
    expect((await request("POST", `/${appointment.id}/cancel`, await as("doctor"))).status).toBe(200);
    const res = await request("GET", `/${appointment.id}`, await inviteAuth(resolved));
    expect(res.body).toMatchObject({ status: "CANCELLED" });
  });
});

it("never logs an invite token", async () => {
  const appointment = await book();
  const { token } = await newInvite(appointment);
  await resolve(token);
  await resolve(`${token}x`);
  expect(t.logs.text()).not.toContain(token);
});

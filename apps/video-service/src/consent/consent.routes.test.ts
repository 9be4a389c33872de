import { randomUUID } from "node:crypto";
import type { AuthUser } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { defaultConsentText } from "./default-consent-text.ts";

/** Telehealth consent through HTTP: the clinic's versioned text, the patient's answers, the join rule. */

const text = (n: number) => `Consent text number ${n}: do you agree to a video consultation?`;

async function request(h: Harness, method: "GET" | "PUT" | "POST", url: string, user?: AuthUser, payload?: unknown) {
  return h.app.inject({
    method,
    url,
    headers: user ? await h.auth(user) : {},
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

const auditRows = (h: Harness, where: { action?: string; session_id?: string }) => {
  let query = h.app.video.database.db.selectFrom("audit_log").select(["actor_id", "action", "outcome", "session_id"]);
  if (where.action) query = query.where("action", "=", where.action);
  if (where.session_id) query = query.where("session_id", "=", where.session_id);
  return query.orderBy("id").execute();
};

describe("consent text: GET / PUT /api/video/consent-text", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("gives every signed-in role the built-in default (version 0) while the clinic has none", async () => {
    for (const user of [users.doctor, users.patient, users.admin]) {
      const reply = await request(h, "GET", "/api/video/consent-text", user);
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toEqual({
        clinic_id: "clinic-1",
        version: 0,
        text: defaultConsentText,
        updated_at: null,
        required: true,
      });
    }
    expect((await request(h, "GET", "/api/video/consent-text")).statusCode).toBe(401);
  });

  it("an admin's save is the next version, per clinic; older versions stay on record", async () => {
    const first = await request(h, "PUT", "/api/video/consent-text", users.admin, { text: text(1) });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      clinic_id: "clinic-1",
      version: 1,
      text: text(1),
      updated_at: h.clock.now.toISOString(),
      required: true,
    });
    h.advance(60_000);
    const second = await request(h, "PUT", "/api/video/consent-text", users.admin, { text: text(2) });
    expect(second.json()).toMatchObject({ version: 2, text: text(2), updated_at: h.clock.now.toISOString() });

    const read = await request(h, "GET", "/api/video/consent-text", users.patient);
    expect(read.json()).toMatchObject({ clinic_id: "clinic-1", version: 2, text: text(2) });
    // Another clinic is untouched: still the default.
    const foreign = await request(h, "GET", "/api/video/consent-text", users.foreignAdmin);
    expect(foreign.json()).toMatchObject({
      clinic_id: users.foreignAdmin.clinic_id,
      version: 0,
      text: defaultConsentText,
    });
    const stored = await h.app.video.database.db
      .selectFrom("consent_texts")
      .select(["clinic_id", "version", "text", "created_by"])
      .orderBy("version")
      .execute();
    expect(stored).toEqual([
      { clinic_id: "clinic-1", version: 1, text: text(1), created_by: users.admin.id },
      { clinic_id: "clinic-1", version: 2, text: text(2), created_by: users.admin.id },
    ]);
    expect(await auditRows(h, { action: "session.updateConsentText" })).toEqual([
      { actor_id: users.admin.id, action: "session.updateConsentText", outcome: "ALLOWED", session_id: null },
      { actor_id: users.admin.id, action: "session.updateConsentText", outcome: "ALLOWED", session_id: null },
    ]);
  });

  it("concurrent saves each get their own version, none lost", async () => {
    const before = (await request(h, "GET", "/api/video/consent-text", users.admin)).json().version as number;
    const replies = await Promise.all(
      [10, 11, 12, 13].map((n) => request(h, "PUT", "/api/video/consent-text", users.admin, { text: text(n) })),
    );
    expect(replies.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(replies.map((r) => r.json().version as number).sort()).toEqual([1, 2, 3, 4].map((d) => before + d));
  });

  it("refuses doctors and patients with 403, audited as DENIED", async () => {
    for (const user of [users.doctor, users.patient]) {
      const reply = await request(h, "PUT", "/api/video/consent-text", user, { text: text(99) });
      expect(reply.statusCode).toBe(403);
      expect(reply.json()).toEqual({
        error: "Only a clinic admin may change the consent text",
        status: 403,
        code: "FORBIDDEN",
      });
    }
    const denied = (await auditRows(h, { action: "session.updateConsentText" })).filter((r) => r.outcome === "DENIED");
    expect(denied.map((r) => r.actor_id)).toEqual([users.doctor.id, users.patient.id]);
    expect((await request(h, "GET", "/api/video/consent-text", users.doctor)).json().text).not.toBe(text(99));
  });

  it.each([
    ["too short (19)", { text: "x".repeat(19) }],
    ["too long (5001)", { text: "x".repeat(5001) }],
    ["blank", { text: " ".repeat(30) }],
    ["a bell character", { text: `${text(1)}\u0007` }],
    ["a carriage return", { text: `${text(1)}\r\n` }],
    ["NUL", { text: `${text(1)}\u0000` }],
    ["a C1 control", { text: `${text(1)}\u0085` }],
    ["no text", {}],
    ["an object", { text: { value: "Consent text that is not a string at all" } }],
    ["an unknown field", { text: text(1), version: 7 }],
  ])("a text with %s → 400, nothing saved", async (_name, payload) => {
    const before = (await request(h, "GET", "/api/video/consent-text", users.admin)).json();
    const reply = await request(h, "PUT", "/api/video/consent-text", users.admin, payload);
    expect(reply.statusCode).toBe(400);
    expect(reply.json()).toMatchObject({ status: 400, code: "VALIDATION_FAILED", error: expect.any(String) });
    expect((await request(h, "GET", "/api/video/consent-text", users.admin)).json()).toEqual(before);
  });

  it("keeps newlines and tabs, and takes exactly 20 and 5000 characters", async () => {
    const layout = "Consent\n\n\tTelehealth: agree?";
    for (const value of [layout, "y".repeat(20), "z".repeat(5000)]) {
      const reply = await request(h, "PUT", "/api/video/consent-text", users.admin, { text: value });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json().text).toBe(value);
    }
  });
});

describe("consent answers: POST /api/video/sessions/{id}/consent and the patient's join", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const answer = (sessionId: string, payload: unknown, user: AuthUser = users.patient) =>
    request(h, "POST", `/api/video/sessions/${sessionId}/consent`, user, payload);
  const join = (sessionId: string, user: AuthUser = users.patient) =>
    request(h, "POST", `/api/video/sessions/${sessionId}/join`, user, {});
  const details = async (sessionId: string, user: AuthUser = users.doctor) =>
    (await request(h, "GET", `/api/video/sessions/${sessionId}`, user)).json();
  const storedAnswers = (sessionId: string) =>
    h.app.video.database.db
      .selectFrom("consent_answers")
      .select(["patient_id", "clinic_id", "decision", "text_version"])
      .where("session_id", "=", sessionId)
      .orderBy("id")
      .execute();

  it("a patient without an answer cannot join (409 CONSENT_REQUIRED); given, they can", async () => {
    const { body } = await h.startedSession();
    const refused = await join(body.session_id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      error: "Telehealth consent is needed before joining the video consultation",
      status: 409,
      code: "CONSENT_REQUIRED",
      session_id: body.session_id,
    });
    expect(await details(body.session_id)).toMatchObject({ consent: null });

    h.advance(30_000);
    const given = await answer(body.session_id, { decision: "GIVEN", text_version: 0 });
    expect(given.statusCode).toBe(200);
    expect(given.json()).toEqual({
      session_id: body.session_id,
      decision: "GIVEN",
      text_version: 0,
      decided_at: h.clock.now.toISOString(),
    });
    const joined = await join(body.session_id);
    expect(joined.statusCode).toBe(200);
    expect(joined.json().attendees.map((a: { user_type: string }) => a.user_type)).toEqual(["DOCTOR", "PATIENT"]);
    // Doctor, patient and admin all see the answer on the session.
    for (const user of [users.doctor, users.patient, users.admin]) {
      expect((await details(body.session_id, user)).consent).toEqual({
        decision: "GIVEN",
        text_version: 0,
        decided_at: h.clock.now.toISOString(),
      });
    }
  });

  it("a declined consent keeps the patient out (409 CONSENT_DECLINED) and shows the doctor why; the latest answer counts", async () => {
    const { body } = await h.startedSession();
    expect((await answer(body.session_id, { decision: "DECLINED", text_version: 0 })).statusCode).toBe(200);
    const refused = await join(body.session_id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ status: 409, code: "CONSENT_DECLINED", session_id: body.session_id });
    expect(await details(body.session_id)).toMatchObject({
      consent: { decision: "DECLINED", text_version: 0 },
      attendees: [{ user_type: "DOCTOR" }],
    });

    // The patient changes their mind: the new answer counts, the old one stays on record.
    h.advance(60_000);
    expect((await answer(body.session_id, { decision: "GIVEN", text_version: 0 })).statusCode).toBe(200);
    expect((await join(body.session_id)).statusCode).toBe(200);
    // And back again: a later decline refuses the next (re)join.
    h.advance(60_000);
    expect((await answer(body.session_id, { decision: "DECLINED", text_version: 0 })).statusCode).toBe(200);
    expect((await join(body.session_id)).json().code).toBe("CONSENT_DECLINED");
    expect((await storedAnswers(body.session_id)).map((a) => a.decision)).toEqual(["DECLINED", "GIVEN", "DECLINED"]);
    expect((await details(body.session_id)).consent).toMatchObject({
      decision: "DECLINED",
      decided_at: h.clock.now.toISOString(),
    });
  });

  it("the doctor's start and join never need consent", async () => {
    const { body } = await h.startedSession();
    const rejoin = await join(body.session_id, users.doctor);
    expect(rejoin.statusCode).toBe(200);
    expect(await storedAnswers(body.session_id)).toEqual([]);
  });

  it("an answer to an old text version → 409 CONSENT_TEXT_OUTDATED with the current version", async () => {
    const { body } = await h.startedSession();
    // Any version but the current one (0 here) is refused, a future one too.
    const future = await answer(body.session_id, { decision: "GIVEN", text_version: 3 });
    expect(future.json()).toMatchObject({ status: 409, code: "CONSENT_TEXT_OUTDATED", current_version: 0 });

    const changed = await request(h, "PUT", "/api/video/consent-text", users.admin, { text: text(1) });
    expect(changed.json().version).toBe(1);
    const stale = await answer(body.session_id, { decision: "GIVEN", text_version: 0 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toEqual({
      error: "The clinic's consent text has changed; show the current text and ask again",
      status: 409,
      code: "CONSENT_TEXT_OUTDATED",
      current_version: 1,
    });
    expect(await storedAnswers(body.session_id)).toEqual([]);
    expect((await join(body.session_id)).json().code).toBe("CONSENT_REQUIRED");

    const current = await answer(body.session_id, { decision: "GIVEN", text_version: 1 });
    expect(current.statusCode).toBe(200);
    expect(await storedAnswers(body.session_id)).toEqual([
      { patient_id: users.patient.id, clinic_id: "clinic-1", decision: "GIVEN", text_version: 1 },
    ]);
    expect((await join(body.session_id)).statusCode).toBe(200);
  });

  it("an allowed step refused afterwards (409) still has its access row; a successful one commits its rows with the change", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id;
    const version = (await request(h, "GET", "/api/video/consent-text", users.patient)).json().version;
    // Refused inside the answer's transaction (rolled back): the access row is written on its own.
    expect((await answer(sessionId, { decision: "GIVEN", text_version: version + 1 })).statusCode).toBe(409);
    // Refused before the join's transaction (no consent yet).
    expect((await join(sessionId)).json().code).toBe("CONSENT_REQUIRED");
    // Committed with the answer, and with the join.
    expect((await answer(sessionId, { decision: "GIVEN", text_version: version })).statusCode).toBe(200);
    expect((await join(sessionId)).statusCode).toBe(200);
    const rows = (await auditRows(h, { session_id: sessionId }))
      .filter((r) => r.actor_id === users.patient.id)
      .map((r) => `${r.action} ${r.outcome}`);
    expect(rows).toEqual([
      "session.recordConsent ALLOWED",
      "session.join ALLOWED",
      "session.recordConsent ALLOWED",
      "consent.given ALLOWED",
      "session.join ALLOWED",
    ]);
    expect(await storedAnswers(sessionId)).toHaveLength(1);
  });

  it("only the session's own patient answers: doctor, admin, other patient, same id in another clinic → 403, audited", async () => {
    const { body } = await h.startedSession();
    const version = (await request(h, "GET", "/api/video/consent-text", users.patient)).json().version;
    const payload = { decision: "GIVEN", text_version: version };
    for (const user of [users.doctor, users.otherDoctor, users.admin, users.otherPatient]) {
      const reply = await answer(body.session_id, payload, user);
      expect(reply.statusCode, user.id).toBe(403);
      expect(reply.json()).toMatchObject({ status: 403, code: "FORBIDDEN" });
    }
    // Ids are unique within a clinic only: the patient's id in another clinic is someone else
    // (signed apart from the harness's per-id token cache).
    const elsewhere = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${body.session_id}/consent`,
      headers: {
        authorization: `Bearer ${await h.tokens.sign({ ...users.patient, clinic_id: users.foreignAdmin.clinic_id })}`,
      },
      payload,
    });
    expect(elsewhere.statusCode).toBe(403);
    expect(await storedAnswers(body.session_id)).toEqual([]);
    expect((await answer(body.session_id, { decision: "GIVEN", text_version: version })).statusCode).toBe(200);
    const rows = await auditRows(h, { session_id: body.session_id });
    expect(
      rows.filter((r) => r.action.includes("onsent")).map((r) => `${r.actor_id} ${r.action} ${r.outcome}`),
    ).toEqual([
      `${users.doctor.id} session.recordConsent DENIED`,
      `${users.otherDoctor.id} session.recordConsent DENIED`,
      `${users.admin.id} session.recordConsent DENIED`,
      `${users.otherPatient.id} session.recordConsent DENIED`,
      `${users.patient.id} session.recordConsent DENIED`,
      `${users.patient.id} session.recordConsent ALLOWED`,
      `${users.patient.id} consent.given ALLOWED`,
    ]);
  });

  it("a declined answer is audited as consent.declined", async () => {
    const { body } = await h.startedSession();
    await h.consent(body.session_id, users.patient, "DECLINED");
    const rows = await auditRows(h, { session_id: body.session_id, action: "consent.declined" });
    expect(rows).toEqual([
      { actor_id: users.patient.id, action: "consent.declined", outcome: "ALLOWED", session_id: body.session_id },
    ]);
  });

  it("unknown session → 404, malformed id or body → 400", async () => {
    const version = (await request(h, "GET", "/api/video/consent-text", users.patient)).json().version;
    const unknown = await answer(`sess-${randomUUID()}`, { decision: "GIVEN", text_version: version });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: "SESSION_NOT_FOUND" });
    expect((await answer("sess-nope", { decision: "GIVEN", text_version: version })).statusCode).toBe(400);
    const { body } = await h.startedSession();
    for (const payload of [
      { decision: "MAYBE", text_version: version },
      { decision: "GIVEN" },
      { text_version: version },
      { decision: "GIVEN", text_version: -1 },
      { decision: "GIVEN", text_version: 1.5 },
      { decision: "GIVEN", text_version: 2 ** 40 },
      { decision: "GIVEN", text_version: version, signed: true },
    ]) {
      const reply = await answer(body.session_id, payload);
      expect(reply.statusCode, JSON.stringify(payload)).toBe(400);
      expect(reply.json()).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
    }
    expect((await request(h, "POST", `/api/video/sessions/${body.session_id}/consent`, undefined, {})).statusCode).toBe(
      401,
    );
  });

  it("a patient may answer while waiting for the doctor (CREATED), not after the end or a cancellation (409)", async () => {
    const booked = () => h.bookedSession();
    const version = (await request(h, "GET", "/api/video/consent-text", users.patient)).json().version;

    const waiting = await booked();
    expect((await answer(waiting.sessionId, { decision: "GIVEN", text_version: version })).statusCode).toBe(200);
    // Consent given before the start carries over to the join once the doctor starts.
    expect((await h.start(waiting.appointment.id)).statusCode).toBe(200);
    expect((await join(waiting.sessionId)).statusCode).toBe(200);

    expect((await h.end(waiting.sessionId)).statusCode).toBe(200);
    const ended = await answer(waiting.sessionId, { decision: "DECLINED", text_version: version });
    expect(ended.statusCode).toBe(409);
    expect(ended.json()).toMatchObject({ code: "SESSION_ALREADY_ENDED", session_status: "COMPLETED" });

    const cancelled = await booked();
    await h.cancelAppointment(cancelled.appointment.id);
    const refused = await answer(cancelled.sessionId, { decision: "GIVEN", text_version: version });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: "SESSION_CANCELLED" });
    expect(await storedAnswers(cancelled.sessionId)).toEqual([]);
  });

  it("answers and texts are append-only: UPDATE and DELETE are refused by the database", async () => {
    const { body } = await h.startedSession();
    expect((await h.consent(body.session_id)).statusCode).toBe(200);
    const db = h.app.video.database.db;
    await expect(db.updateTable("consent_answers").set({ decision: "GIVEN" }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom("consent_answers").execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom("consent_texts").execute()).rejects.toThrow(/append-only/);
  });
});

describe("TELEHEALTH_CONSENT=off", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ env: { TELEHEALTH_CONSENT: "off" } });
  });
  afterAll(async () => {
    await h.close();
  });

  it("tells the pages that no answer is needed", async () => {
    const reply = await request(h, "GET", "/api/video/consent-text", users.patient);
    expect(reply.json()).toMatchObject({ version: 0, required: false });
  });

  it("lets the patient join without an answer, and even after declining", async () => {
    const { body } = await h.startedSession();
    const join = () => request(h, "POST", `/api/video/sessions/${body.session_id}/join`, users.patient, {});
    expect((await join()).statusCode).toBe(200);
    await h.consent(body.session_id, users.patient, "DECLINED");
    expect((await join()).statusCode).toBe(200);
  });
});

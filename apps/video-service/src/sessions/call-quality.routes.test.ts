import type { AuthUser } from "@clinic/platform";
import { testPeople } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { QUALITY_REPORT_GRACE_MS } from "./call-quality.service.ts";

/** The quality record (issue 12): each attendee's call-stats summary, stored per side and shown in the details. */
describe("call quality: POST /sessions/{id}/quality", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const summary = {
    rtt_ms_median: 42.5,
    packet_loss_pct: 0.8,
    outgoing_kbps_median: 1450,
    incoming_kbps_median: 1320.5,
    sent_resolution: "1280x720",
    relay_seconds: 0,
    audio_only_seconds: 12,
    call_seconds: 610,
  };
  const url = (sessionId: string) => `/api/video/sessions/${sessionId}/quality`;
  const post = async (sessionId: string, payload: unknown, headers: Record<string, string>) =>
    h.app.inject({ method: "POST", url: url(sessionId), headers, payload: payload as object });
  const as = (user: AuthUser) => h.auth(user);
  const inviteOf = async (appointmentId: string) => ({
    authorization: `Bearer ${await h.tokens.sign(users.patient, {
      scope: "invite",
      appointment_id: appointmentId,
      invite_id: "inv-quality",
    })}`,
  });
  const details = async (sessionId: string, user: AuthUser = users.doctor) =>
    h.app.inject({ url: `/api/video/sessions/${sessionId}`, headers: await as(user) });
  const stored = (sessionId: string) =>
    h.app.video.database.db
      .selectFrom("call_quality_reports")
      .selectAll()
      .where("session_id", "=", sessionId)
      .orderBy("side")
      .execute();
  const audit = (sessionId: string) =>
    h.app.video.database.db
      .selectFrom("audit_log")
      .select(["actor_id", "action", "outcome"])
      .where("session_id", "=", sessionId)
      .where("action", "=", "session.reportCallQuality")
      .orderBy("id")
      .execute();

  it("stores each side's summary, audited, and the session details show both", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    const doctor = await post(sessionId, summary, await as(users.doctor));
    expect(doctor.statusCode, doctor.body).toBe(200);
    expect(doctor.json()).toEqual({ side: "DOCTOR", ...summary, reported_at: h.clock.now.toISOString() });
    const patientSummary = { ...summary, rtt_ms_median: 180, sent_resolution: "640x360", relay_seconds: 610 };
    const patient = await post(sessionId, patientSummary, await as(users.patient));
    expect(patient.statusCode, patient.body).toBe(200);
    expect(patient.json()).toMatchObject({ side: "PATIENT", rtt_ms_median: 180 });

    expect(await stored(sessionId)).toMatchObject([
      { side: "DOCTOR", reported_by: users.doctor.id, rtt_ms_median: 42.5, sent_resolution: "1280x720" },
      { side: "PATIENT", reported_by: users.patient.id, relay_seconds: 610, sent_resolution: "640x360" },
    ]);
    expect(await audit(sessionId)).toEqual([
      { actor_id: users.doctor.id, action: "session.reportCallQuality", outcome: "ALLOWED" },
      { actor_id: users.patient.id, action: "session.reportCallQuality", outcome: "ALLOWED" },
    ]);
    // The doctor's view (beside notes and rating) and the redacted one (patient, admin) both carry them.
    for (const user of [users.doctor, users.patient, users.admin]) {
      const read = await details(sessionId, user);
      expect(read.statusCode).toBe(200);
      expect(read.json().quality_reports).toEqual([
        { side: "DOCTOR", ...summary, reported_at: h.clock.now.toISOString() },
        { side: "PATIENT", ...patientSummary, reported_at: h.clock.now.toISOString() },
      ]);
    }
  });

  it("is idempotent per attendee: a resend replaces that side's report, never adds one", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    expect((await details(sessionId)).json().quality_reports).toEqual([]);
    for (let i = 0; i < 2; i++) expect((await post(sessionId, summary, await as(users.patient))).statusCode).toBe(200);
    h.advance(5_000);
    const later = { ...summary, call_seconds: 700, sent_resolution: null, rtt_ms_median: null };
    expect((await post(sessionId, later, await as(users.patient))).statusCode).toBe(200);
    const rows = await stored(sessionId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ side: "PATIENT", call_seconds: 700, sent_resolution: null, rtt_ms_median: null });
    expect((await details(sessionId)).json().quality_reports).toEqual([
      { side: "PATIENT", ...later, reported_at: h.clock.now.toISOString() },
    ]);
  });

  it.each([
    ["a negative RTT", { rtt_ms_median: -1 }],
    ["loss over 100 %", { packet_loss_pct: 140 }],
    ["a bitrate as text", { outgoing_kbps_median: "fast" }],
    ["fractional seconds", { call_seconds: 1.5 }],
    ["more than a day on relay", { relay_seconds: 90_000 }],
    ["a resolution that is not WxH", { sent_resolution: "hd ready" }],
    ["an unknown field", { ip_address: "10.0.0.1" }],
  ])("answers 400 to %s, storing nothing", async (_name, change) => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    const reply = await post(sessionId, { ...summary, ...change }, await as(users.doctor));
    expect(reply.statusCode, reply.body).toBe(400);
    expect(reply.json()).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
    expect(await stored(sessionId)).toEqual([]);
  });

  it.each([
    ["more time on relay than in the call", { relay_seconds: 611 }],
    ["more time audio-only than in the call", { audio_only_seconds: 611 }],
  ])("answers 400 INVALID_QUALITY_REPORT to %s, storing nothing", async (_name, change) => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    const reply = await post(sessionId, { ...summary, ...change }, await as(users.doctor));
    expect(reply.statusCode, reply.body).toBe(400);
    expect(reply.json()).toMatchObject({ status: 400, code: "INVALID_QUALITY_REPORT" });
    expect(await stored(sessionId)).toEqual([]);
    // Equal is fine: the whole call on relay.
    const whole = await post(sessionId, { ...summary, relay_seconds: summary.call_seconds }, await as(users.doctor));
    expect(whole.statusCode, whole.body).toBe(200);
  });

  it("answers 400 to a missing field and to a malformed session id", async () => {
    const { body } = await h.startedSession();
    const { call_seconds: _dropped, ...partial } = summary;
    expect((await post(body.session_id, partial, await as(users.doctor))).statusCode).toBe(400);
    expect((await post("not-a-session", summary, await as(users.doctor))).statusCode).toBe(400);
  });

  it("refuses strangers with 403 (other doctor, other patient, admin, another clinic), audited, storing nothing", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    // Another clinic's doctor has the same user id as ours: signed apart (the harness caches tokens by id).
    const otherClinic = { authorization: `Bearer ${await h.tokens.sign(testPeople.otherClinicDoctor)}` };
    const strangers = [await as(users.otherDoctor), await as(users.otherPatient), await as(users.admin), otherClinic];
    for (const [i, headers] of strangers.entries()) {
      const reply = await post(sessionId, summary, headers);
      expect(reply.statusCode, `stranger ${i}`).toBe(403);
      expect(reply.json()).toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await stored(sessionId)).toEqual([]);
    expect((await audit(sessionId)).map((row) => row.outcome)).toEqual(["DENIED", "DENIED", "DENIED", "DENIED"]);
    expect((await post(sessionId, summary, {})).statusCode).toBe(401);
  });

  it("takes an invite holder's summary for its own session only", async () => {
    const own = await h.startedSession();
    const other = await h.startedSession();
    const mine = await post(own.body.session_id, summary, await inviteOf(own.appointment.id));
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json()).toMatchObject({ side: "PATIENT" });
    const foreign = await post(other.body.session_id, summary, await inviteOf(own.appointment.id));
    expect(foreign.statusCode).toBe(403);
    expect(await stored(other.body.session_id)).toEqual([]);
  });

  it("is taken for a grace period after the end, then 409; never before the start", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    expect((await h.end(sessionId)).statusCode).toBe(200);
    h.advance(QUALITY_REPORT_GRACE_MS - 1_000);
    expect((await post(sessionId, summary, await as(users.patient))).statusCode).toBe(200);
    h.advance(2_000);
    const late = await post(sessionId, summary, await as(users.doctor));
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: "QUALITY_REPORT_CLOSED", session_status: "COMPLETED" });

    const booked = await h.bookedSession();
    const early = await post(booked.sessionId, summary, await as(users.doctor));
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: "SESSION_NOT_STARTED" });
    expect((await post(`sess-${crypto.randomUUID()}`, summary, await as(users.doctor))).statusCode).toBe(404);
  });
});

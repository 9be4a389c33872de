import type { AuthUser } from "@clinic/platform";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

/**
 * A start decides on the facts the appointment events delivered (the CREATED session
 * `appointment.booked` made) and asks the appointments service only when they are missing or
 * may be stale (session-start.service.ts `startFacts`).
 */
describe("start: the appointment's facts from its events, the lookup only when needed", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterEach(() => {
    h.appointments.mode = "normal";
  });
  afterAll(async () => {
    await h.close();
  });

  const lookups = () => h.appointments.seenAuthorization.length;
  const post = async (url: string, user: AuthUser = users.doctor, payload: object = {}) =>
    h.app.inject({ method: "POST", url, headers: await h.auth(user), payload });
  const sessionRow = (sessionId: string) =>
    h.app.video.database.db
      .selectFrom("sessions")
      .selectAll()
      .where("session_id", "=", sessionId)
      .executeTakeFirstOrThrow();

  it("a booked session is started, joined and ended without asking the appointments service", async () => {
    const { sessionId, appointment } = await h.bookedSession();
    // Answering 500 to any lookup: a start that asked would fail.
    h.appointments.mode = "error";
    const before = lookups();
    const started = await h.start(appointment.id);
    expect(started.statusCode).toBe(200);
    expect(started.json()).toMatchObject({ session_id: sessionId, status: "IN_PROGRESS" });
    await h.autoAdmit(sessionId);
    await h.consent(sessionId);
    const joined = await post(`/api/video/sessions/${sessionId}/join`, users.patient);
    expect(joined.statusCode).toBe(200);
    expect(
      joined
        .json()
        .attendees.map((a: { user_type: string }) => a.user_type)
        .sort(),
    ).toEqual(["DOCTOR", "PATIENT"]);
    const ended = await post(`/api/video/sessions/${sessionId}/end`, users.doctor, { notes: "ok" });
    expect(ended.statusCode).toBe(200);
    expect(lookups()).toBe(before);
    expect(await sessionRow(sessionId)).toMatchObject({
      status: "COMPLETED",
      doctor_id: users.doctor.id,
      patient_id: users.patient.id,
      clinic_id: appointment.clinic_id,
    });
  });

  it("without a session yet (appointment.booked not handled yet), the start looks the appointment up", async () => {
    const appointment = h.addAppointment();
    const before = lookups();
    expect((await h.start(appointment.id)).statusCode).toBe(200);
    expect(lookups()).toBe(before + 1);
  });

  it("a cancellation delivered: 409 SESSION_CANCELLED, nothing asked", async () => {
    const { appointment } = await h.bookedSession();
    await h.cancelAppointment(appointment.id);
    h.appointments.mode = "error";
    const before = lookups();
    expect((await h.start(appointment.id)).json()).toMatchObject({ status: 409, code: "SESSION_CANCELLED" });
    expect(lookups()).toBe(before);
  });

  it("another doctor: refused on the session's facts and audited, nothing asked", async () => {
    const { appointment } = await h.bookedSession();
    const before = lookups();
    const response = await h.start(appointment.id, users.otherDoctor);
    expect(response.statusCode).toBe(403);
    expect(lookups()).toBe(before);
    const audit = await h.app.video.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("appointment_id", "=", appointment.id)
      .execute();
    expect(audit).toContainEqual(
      expect.objectContaining({ actor_id: users.otherDoctor.id, action: "session.start", outcome: "DENIED" }),
    );
  });

  it("outside the join window by the event's facts: asked, since a reschedule may not have reached us yet", async () => {
    const later = new Date(h.clock.now.getTime() + 3 * 60 * 60_000).toISOString();
    const { appointment, sessionId } = await h.bookedSession({ start_time: later });
    // Moved to now at the appointments service; its appointment.rescheduled is still on its way.
    const now = h.clock.now.toISOString();
    h.appointments.set(appointment.id, { start_time: now, duration_minutes: 45 });
    const before = lookups();
    const started = await h.start(appointment.id);
    expect(started.statusCode).toBe(200);
    expect(lookups()).toBe(before + 1);
    // The lookup's facts are the newer: the session keeps them.
    const row = await sessionRow(sessionId);
    expect(row.scheduled_start.toISOString()).toBe(now);
    expect(row.scheduled_duration_minutes).toBe(45);
  });

  it("outside the join window by the event's facts and by the lookup: 409 OUTSIDE_JOIN_WINDOW", async () => {
    const later = new Date(h.clock.now.getTime() + 3 * 60 * 60_000).toISOString();
    const { appointment } = await h.bookedSession({ start_time: later });
    const before = lookups();
    expect((await h.start(appointment.id)).json()).toMatchObject({ status: 409, code: "OUTSIDE_JOIN_WINDOW" });
    expect(lookups()).toBe(before + 1);
  });

  it("a token naming no one: the appointment is looked up for its doctor's name", async () => {
    const { appointment, sessionId } = await h.bookedSession();
    const before = lookups();
    // Signed here: the harness keeps one token per user id, with the name.
    const token = await h.tokens.sign({ ...users.doctor, name: "" });
    const started = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${appointment.id}/start`,
      headers: { authorization: `Bearer ${token}` },
      payload: { booking_type: "CLINIC_BASED" },
    });
    expect(started.statusCode).toBe(200);
    expect(lookups()).toBe(before + 1);
    const [doctor] = await h.app.video.database.db
      .selectFrom("attendees")
      .select("name")
      .where("session_id", "=", sessionId)
      .execute();
    expect(doctor?.name).toBe(appointment.doctor_name);
  });
});

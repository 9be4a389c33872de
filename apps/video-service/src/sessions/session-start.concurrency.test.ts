import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

describe("concurrent starts of one appointment", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("20 parallel starts → one 200, nineteen 409 with the same session_id, one meeting, one event", async () => {
    const appointment = h.addAppointment();
    const responses = await Promise.all(Array.from({ length: 20 }, () => h.start(appointment.id)));
    const ok = responses.filter((r) => r.statusCode === 200);
    const conflicts = responses.filter((r) => r.statusCode === 409);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(19);
    const sessionId = ok[0]!.json().session_id;
    for (const r of conflicts)
      expect(r.json()).toMatchObject({ code: "SESSION_ALREADY_STARTED", session_id: sessionId });

    const db = h.app.video.database.db;
    const sessions = await db.selectFrom("sessions").selectAll().where("appointment_id", "=", appointment.id).execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.meeting_id).toBe(ok[0]!.json().chime_meeting_id);
    const attendees = await db.selectFrom("attendees").selectAll().where("session_id", "=", sessionId).execute();
    expect(attendees).toHaveLength(1);
    const events = await db
      .selectFrom("outbox")
      .select("payload")
      .where("type", "=", "appointment.consultation.started")
      .execute();
    expect(events.filter((e) => JSON.stringify(e.payload).includes(sessionId))).toHaveLength(1);
  });

  it("20 parallel starts of a booked session (its facts from appointment.booked) → one 200, nineteen 409, one meeting", async () => {
    const { appointment, sessionId } = await h.bookedSession();
    const responses = await Promise.all(Array.from({ length: 20 }, () => h.start(appointment.id)));
    const ok = responses.filter((r) => r.statusCode === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.json().session_id).toBe(sessionId);
    for (const r of responses.filter((r) => r.statusCode !== 200)) {
      expect(r.json()).toMatchObject({ code: "SESSION_ALREADY_STARTED", session_id: sessionId });
    }
    const db = h.app.video.database.db;
    const [row] = await db.selectFrom("sessions").selectAll().where("appointment_id", "=", appointment.id).execute();
    expect(row).toMatchObject({ status: "IN_PROGRESS", meeting_id: ok[0]!.json().chime_meeting_id, start_token: null });
    const attendees = await db.selectFrom("attendees").selectAll().where("session_id", "=", sessionId).execute();
    expect(attendees).toHaveLength(1);
    const events = await db
      .selectFrom("outbox")
      .select("payload")
      .where("type", "=", "appointment.consultation.started")
      .execute();
    expect(events.filter((e) => JSON.stringify(e.payload).includes(sessionId))).toHaveLength(1);
  });

  it("joining again replaces the person's previous attendee: one live entry per person", async () => {
    const { body } = await h.startedSession();
    await h.consent(body.session_id);
    const join = async () =>
      h.app.inject({
        method: "POST",
        url: `/api/video/sessions/${body.session_id}/join`,
        headers: await h.auth(users.patient),
        payload: {},
      });
    const first = (await join()).json();
    const second = (await join()).json();
    expect(second.attendee.attendee_id).not.toBe(first.attendee.attendee_id);
    const byId = new Map(
      second.attendees.map((a: { attendee_id: string; status: string }) => [a.attendee_id, a.status]),
    );
    expect(byId.get(first.attendee.attendee_id)).toBe("REPLACED");
    expect(byId.get(second.attendee.attendee_id)).toBe("JOINING");
    const live = second.attendees.filter((a: { status: string }) => a.status === "JOINING" || a.status === "CONNECTED");
    expect(live.map((a: { user_type: string }) => a.user_type).sort()).toEqual(["DOCTOR", "PATIENT"]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedWithin, connectSignal, signalUrl } from "../testing/signal-client.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

describe("idle auto-end (IDLE_TIMEOUT_MIN = 15)", () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await createHarness();
    base = await h.listen();
  });
  afterAll(async () => {
    await h.close();
  });
  const details = async (sessionId: string) =>
    (await h.app.inject({ url: `/api/video/sessions/${sessionId}`, headers: await h.auth(users.doctor) })).json();

  it("ends a session nobody connected to for 15 minutes, like end, with reason IDLE_TIMEOUT", async () => {
    const { body } = await h.startedSession();
    h.advance(14 * 60_000);
    expect(await h.app.video.sweepIdle()).not.toContain(body.session_id);
    h.advance(2 * 60_000);
    expect(await h.app.video.sweepIdle()).toContain(body.session_id);
    expect(await details(body.session_id)).toMatchObject({ status: "COMPLETED", duration_seconds: 16 * 60 });
    const db = h.app.video.database.db;
    const row = await db
      .selectFrom("sessions")
      .select("end_reason")
      .where("session_id", "=", body.session_id)
      .executeTakeFirst();
    expect(row?.end_reason).toBe("IDLE_TIMEOUT");
    const events = await db
      .selectFrom("outbox")
      .select("payload")
      .where("type", "=", "appointment.consultation.completed")
      .execute();
    expect(events.filter((e) => JSON.stringify(e.payload).includes(body.session_id))).toHaveLength(1);
    const audit = await db.selectFrom("audit_log").selectAll().where("session_id", "=", body.session_id).execute();
    expect(audit.some((a) => a.actor_id === "system" && a.action === "session.end.idle")).toBe(true);
    expect((await h.end(body.session_id)).statusCode).toBe(409);
  });

  it("leaves a session alone while someone is connected, and counts idleness from the last leave", async () => {
    const { body } = await h.startedSession();
    const doctor = connectSignal(signalUrl(base, body.session_id, body.doctor_attendee.join_token));
    await doctor.next("welcome");
    h.advance(60 * 60_000);
    expect(await h.app.video.sweepIdle()).not.toContain(body.session_id);
    doctor.close();
    await closedWithin(doctor);
    for (let i = 0; i < 100 && (await details(body.session_id)).attendees[0].status !== "LEFT"; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    h.advance(10 * 60_000);
    expect(await h.app.video.sweepIdle()).not.toContain(body.session_id);
    h.advance(6 * 60_000);
    expect(await h.app.video.sweepIdle()).toContain(body.session_id);
    expect((await details(body.session_id)).status).toBe("COMPLETED");
  });

  it("closes attendance a dead process left open at its last sign of life, then ends the idle session", async () => {
    const { body } = await h.startedSession();
    const db = h.app.video.database.db;
    const seen = new Date(h.clock.now.getTime() + 2 * 60_000);
    // What a process killed mid-call leaves behind: a CONNECTED attendee and an open interval.
    await db
      .updateTable("attendees")
      .set({ status: "CONNECTED" })
      .where("attendee_id", "=", body.doctor_attendee.attendee_id)
      .execute();
    await db
      .insertInto("attendance_intervals")
      .values({
        attendee_id: body.doctor_attendee.attendee_id,
        session_id: body.session_id,
        clinic_id: "clinic-1",
        user_id: body.doctor_attendee.external_user_id,
        joined_at: h.clock.now,
        left_at: null,
        last_seen_at: seen,
      })
      .execute();
    h.advance(3 * 60_000); // 60 s after the last sign of life: could still be alive elsewhere
    await h.app.video.sweepIdle();
    expect((await details(body.session_id)).attendees[0].status).toBe("CONNECTED");
    h.advance(60_000);
    expect(await h.app.video.sweepIdle()).not.toContain(body.session_id);
    const attendee = (await details(body.session_id)).attendees[0];
    expect(attendee).toMatchObject({ status: "LEFT", leave_time: seen.toISOString() });
    h.advance(15 * 60_000);
    expect(await h.app.video.sweepIdle()).toContain(body.session_id);
  });
});

import { randomUUID } from "node:crypto";
import { type AppointmentBookedData, EventTypes } from "@clinic/contracts";
import { InProcessBus, makeEvent } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appointmentBookedEvent, createHarness, type Harness, users } from "../testing/video-test-harness.ts";

const booked = (overrides: Partial<AppointmentBookedData> = {}) =>
  makeEvent(EventTypes.appointmentBooked, "appointments-service", {
    appointment_id: `appt-${randomUUID()}`,
    clinic_id: "clinic-1",
    doctor_id: users.doctor.id,
    patient_id: users.patient.id,
    patient_name: users.patient.name,
    start_time: "2026-01-25T14:00:00.000Z",
    duration_minutes: 30,
    booking_type: "CLINIC_BASED" as const,
    video_enabled: true,
    ...overrides,
  });
const cancelled = (appointmentId: string) =>
  makeEvent(EventTypes.appointmentCancelled, "appointments-service", {
    appointment_id: appointmentId,
    clinic_id: "clinic-1",
    cancelled_at: "2026-01-24T10:00:00.000Z",
  });

const rescheduled = (appointmentId: string, clinicId = "clinic-1", startTime = "2026-01-26T09:30:00.000Z") =>
  makeEvent(EventTypes.appointmentRescheduled, "appointments-service", {
    appointment_id: appointmentId,
    clinic_id: clinicId,
    start_time: startTime,
    duration_minutes: 45,
  });
const day = 24 * 60 * 60_000;

describe("appointment events → sessions", () => {
  let h: Harness;
  const bus = new InProcessBus();
  beforeAll(async () => {
    h = await createHarness({ bus });
  });
  afterAll(async () => {
    await h.close();
    await bus.close();
  });
  const sessionOf = (appointmentId: string) =>
    h.app.video.database.db.selectFrom("sessions").selectAll().where("appointment_id", "=", appointmentId).execute();
  const earlyChangeOf = (appointmentId: string) =>
    h.app.video.database.db
      .selectFrom("appointment_early_changes")
      .selectAll()
      .where("appointment_id", "=", appointmentId)
      .executeTakeFirst();

  it("appointment.booked creates one CREATED session with the appointment's facts, once per event", async () => {
    const event = booked();
    expect(await h.app.video.handleEvent(event)).toBe(true);
    expect(await h.app.video.handleEvent(event)).toBe(false); // redelivery: inbox says done
    const rows = await sessionOf(event.data.appointment_id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: "CREATED",
      doctor_id: users.doctor.id,
      patient_id: users.patient.id,
      patient_name: users.patient.name,
      clinic_id: "clinic-1",
      scheduled_duration_minutes: 30,
      session_id: expect.stringMatching(/^sess-/),
    });
    expect(new Date(rows[0]!.scheduled_start).toISOString()).toBe("2026-01-25T14:00:00.000Z");
  });

  it("a second booked event for the same appointment does not create a second session", async () => {
    const first = booked();
    await h.app.video.handleEvent(first);
    await h.app.video.handleEvent(booked({ appointment_id: first.data.appointment_id }));
    expect(await sessionOf(first.data.appointment_id)).toHaveLength(1);
  });

  it("appointment.cancelled moves a CREATED session to CANCELLED", async () => {
    const event = booked();
    await h.app.video.handleEvent(event);
    expect(await h.app.video.handleEvent(cancelled(event.data.appointment_id))).toBe(true);
    expect((await sessionOf(event.data.appointment_id))[0]?.status).toBe("CANCELLED");
  });

  it("appointment.cancelled leaves a session in progress alone", async () => {
    const { appointment, body } = await h.startedSession();
    await h.app.video.handleEvent(cancelled(appointment.id));
    const rows = await sessionOf(appointment.id);
    expect(rows[0]).toMatchObject({ session_id: body.session_id, status: "IN_PROGRESS" });
  });

  it("appointment.rescheduled moves a CREATED session's scheduled time, once, and only in its clinic", async () => {
    const event = booked();
    await h.app.video.handleEvent(event);
    expect(await h.app.video.handleEvent(rescheduled(event.data.appointment_id, "clinic-2"))).toBe(true);
    expect(new Date((await sessionOf(event.data.appointment_id))[0]!.scheduled_start).toISOString()).toBe(
      "2026-01-25T14:00:00.000Z",
    );
    const moved = rescheduled(event.data.appointment_id);
    expect(await h.app.video.handleEvent(moved)).toBe(true);
    expect(await h.app.video.handleEvent(moved)).toBe(false);
    const [row] = await sessionOf(event.data.appointment_id);
    expect(new Date(row!.scheduled_start).toISOString()).toBe("2026-01-26T09:30:00.000Z");
    expect(row!.scheduled_duration_minutes).toBe(45);
  });

  it("appointment.rescheduled leaves a session in progress alone", async () => {
    const { appointment } = await h.startedSession();
    const before = (await sessionOf(appointment.id))[0]!;
    await h.app.video.handleEvent(rescheduled(appointment.id, appointment.clinic_id));
    const after = (await sessionOf(appointment.id))[0]!;
    expect(after.scheduled_start).toEqual(before.scheduled_start);
    expect(after.status).toBe("IN_PROGRESS");
  });

  it("skips malformed events and appointments without video", async () => {
    // @ts-expect-error malformed on purpose: makeEvent does not compile a payload that misses fields
    const bad = makeEvent(EventTypes.appointmentBooked, "appointments-service", { appointment_id: "nope" });
    expect(await h.app.video.handleEvent(bad)).toBe(false);
    const noVideo = booked({ video_enabled: false });
    expect(await h.app.video.handleEvent(noVideo)).toBe(false);
    expect(await sessionOf(noVideo.data.appointment_id)).toHaveLength(0);
  });

  it("cancel-before-booked: appointment.cancelled handled before its appointment.booked leaves the session CANCELLED", async () => {
    const event = booked();
    const cancel = cancelled(event.data.appointment_id);
    expect(await h.app.video.handleEvent(cancel)).toBe(true);
    expect(await sessionOf(event.data.appointment_id)).toHaveLength(0);
    expect(await h.app.video.handleEvent(event)).toBe(true);
    const rows = await sessionOf(event.data.appointment_id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "CANCELLED", doctor_id: users.doctor.id, clinic_id: "clinic-1" });
    // Redeliveries of either event change nothing (inbox), and the recorded cancellation was used up.
    expect(await h.app.video.handleEvent(cancel)).toBe(false);
    expect(await h.app.video.handleEvent(event)).toBe(false);
    expect((await sessionOf(event.data.appointment_id))[0]?.status).toBe("CANCELLED");
    const pending = await h.app.video.database.db
      .selectFrom("appointment_early_changes")
      .selectAll()
      .where("appointment_id", "=", event.data.appointment_id)
      .execute();
    expect(pending).toEqual([]);
  });

  it("cancel-before-booked: the doctor cannot start the cancelled session", async () => {
    const appointment = h.addAppointment();
    await h.cancelAppointment(appointment.id);
    await h.app.video.handleEvent(appointmentBookedEvent(appointment));
    // The appointments service answers as it did before the cancellation reached it (a lagging replica).
    const response = await h.start(appointment.id);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: "SESSION_CANCELLED", session_status: "CANCELLED" });
  });

  it("cancel-before-booked: a start that creates the session itself honours the recorded cancellation", async () => {
    const appointment = h.addAppointment();
    await h.cancelAppointment(appointment.id);
    const response = await h.start(appointment.id);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: "SESSION_CANCELLED" });
    // The refused start kept nothing; the recorded cancellation still waits for the booked event.
    expect(await sessionOf(appointment.id)).toHaveLength(0);
    await h.app.video.handleEvent(appointmentBookedEvent(appointment));
    expect((await sessionOf(appointment.id))[0]?.status).toBe("CANCELLED");
  });

  it("rescheduled-before-booked: the later booked event takes the rescheduled time", async () => {
    const event = booked();
    expect(await h.app.video.handleEvent(rescheduled(event.data.appointment_id))).toBe(true);
    expect(await h.app.video.handleEvent(event)).toBe(true);
    const [row] = await sessionOf(event.data.appointment_id);
    expect(row?.status).toBe("CREATED");
    expect(new Date(row!.scheduled_start).toISOString()).toBe("2026-01-26T09:30:00.000Z");
    expect(row!.scheduled_duration_minutes).toBe(45);
  });

  it("rescheduled-before-booked: of several early reschedules the latest by event time wins, whatever order they are handled in", async () => {
    for (const order of ["older first", "newer first"]) {
      const event = booked();
      const id = event.data.appointment_id;
      const older = { ...rescheduled(id, "clinic-1", "2026-01-26T09:00:00.000Z"), time: "2026-01-20T10:00:00.000Z" };
      const newer = { ...rescheduled(id, "clinic-1", "2026-01-27T16:00:00.000Z"), time: "2026-01-20T10:05:00.000Z" };
      for (const early of order === "older first" ? [older, newer] : [newer, older]) {
        expect(await h.app.video.handleEvent(early), order).toBe(true);
      }
      expect(await h.app.video.handleEvent(event)).toBe(true);
      const [row] = await sessionOf(id);
      expect(new Date(row!.scheduled_start).toISOString(), order).toBe("2026-01-27T16:00:00.000Z");
    }
  });

  it("appointment.booked without video drops the change recorded before it (no session will ever take it)", async () => {
    const event = booked({ video_enabled: false });
    const id = event.data.appointment_id;
    await h.app.video.handleEvent(cancelled(id));
    await h.app.video.handleEvent(rescheduled(id));
    expect(await earlyChangeOf(id)).toBeDefined();
    expect(await h.app.video.handleEvent(event)).toBe(false);
    expect(await earlyChangeOf(id)).toBeUndefined();
    expect(await sessionOf(id)).toHaveLength(0);
  });

  it("early changes nothing takes (a cancel after a booked without video) are purged by the retention pass after EVENT_RETENTION_DAYS", async () => {
    const started = h.clock.now;
    try {
      // Its data does not say the appointment has no video: the cancellation is recorded.
      const noVideo = booked({ video_enabled: false });
      await h.app.video.handleEvent(noVideo);
      await h.app.video.handleEvent(cancelled(noVideo.data.appointment_id));
      expect(await earlyChangeOf(noVideo.data.appointment_id)).toBeDefined();

      h.advance(6 * day);
      const recent = `appt-${randomUUID()}`;
      await h.app.video.handleEvent(rescheduled(recent));
      await h.app.video.retention.run();
      expect(await earlyChangeOf(noVideo.data.appointment_id)).toBeDefined();

      h.advance(day + 60_000); // past the 7 days (EVENT_RETENTION_DAYS' default) of the first
      await h.app.video.retention.run();
      expect(await earlyChangeOf(noVideo.data.appointment_id)).toBeUndefined();
      expect(await earlyChangeOf(recent)).toBeDefined();
    } finally {
      h.clock.now = started;
    }
  });

  it("an early change for another clinic's appointment id is not applied to the booked session", async () => {
    const event = booked();
    await h.app.video.handleEvent(
      makeEvent(EventTypes.appointmentCancelled, "appointments-service", {
        appointment_id: event.data.appointment_id,
        clinic_id: "clinic-2",
        cancelled_at: "2026-01-24T10:00:00.000Z",
      }),
    );
    await h.app.video.handleEvent(event);
    expect((await sessionOf(event.data.appointment_id))[0]?.status).toBe("CREATED");
  });

  it("cancel-before-booked through the bus: cancelled published first, then booked → CANCELLED", async () => {
    const event = booked();
    await bus.publish(cancelled(event.data.appointment_id));
    await bus.drain();
    await bus.publish(event);
    await bus.drain();
    const rows = await sessionOf(event.data.appointment_id);
    expect(rows.map((r) => r.status)).toEqual(["CANCELLED"]);
  });

  it("is subscribed on the bus as queue video-service", async () => {
    const event = booked();
    await bus.publish(event);
    await bus.drain();
    expect(await sessionOf(event.data.appointment_id)).toHaveLength(1);
    await bus.publish(cancelled(event.data.appointment_id));
    await bus.drain();
    expect((await sessionOf(event.data.appointment_id))[0]?.status).toBe("CANCELLED");
  });
});

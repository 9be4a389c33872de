import { EventTypes, type StartSessionResponse } from "@clinic/contracts";
import { makeEvent, withTransaction } from "@clinic/platform";
import { AppointmentNotStartable, NotVideoAppointment, OutsideJoinWindow } from "../errors.ts";
import type { Attendee, Meeting } from "../meetings/media-provider.ts";
import { enqueue } from "../tables.ts";
import { assertWithinFreeTier } from "../usage/usage.service.ts";
import { insertAttendee } from "./attendees.repository.ts";
import { newSessionRow } from "./new-session.ts";
import { isInsideWindow, joinWindow, requireTransition } from "./session-state.ts";
import { mediaFields } from "./session-views.ts";
import { findSessionByAppointment, insertOrLockByAppointment, updateSession } from "./sessions.repository.ts";
import { callProvider, type RequestContext, type SessionsContext } from "./sessions-context.ts";

/**
 * POST /sessions/{appointment_id}/start. The appointment's facts come from
 * the appointments service; the session row is created (or found) and locked, the meeting
 * and the doctor's attendee are created while the lock is held, and the state change and
 * `appointment.consultation.started` commit together. If the provider fails, the
 * transaction rolls back (no half-created session) and a meeting already made is ended.
 */
export async function startSession(
  ctx: SessionsContext,
  req: RequestContext,
  appointmentId: string,
): Promise<StartSessionResponse> {
  const { actor } = req;
  await ctx.access.checkRole(actor, "start", ["DOCTOR"], appointmentId);
  const appointment = await ctx.appointments.get(appointmentId, req.bearerToken);
  const existing = await findSessionByAppointment(ctx.db, appointmentId);
  await ctx.access.check(actor, "start", {
    session_id: existing?.session_id ?? null,
    appointment_id: appointmentId,
    doctor_id: appointment.doctor_id,
    patient_id: appointment.patient_id,
    clinic_id: appointment.clinic_id,
  });
  // A session already running answers 409 with its id whatever the clock or usage says,
  // so the client can join it instead.
  if (existing && existing.status !== "CREATED") requireTransition(existing.session_id, existing.status, "start");
  if (appointment.status === "CANCELLED" || appointment.status === "COMPLETED") {
    throw new AppointmentNotStartable(appointment.status);
  }
  if (!appointment.video_enabled) throw new NotVideoAppointment();
  const now = ctx.now();
  const window = joinWindow(
    new Date(appointment.start_time),
    appointment.duration_minutes,
    ctx.config.JOIN_WINDOW_BEFORE_MIN,
    ctx.config.JOIN_WINDOW_AFTER_MIN,
  );
  if (!isInsideWindow(now, window)) {
    throw new OutsideJoinWindow({ opens_at: window.opens_at.toISOString(), closes_at: window.closes_at.toISOString() });
  }
  await assertWithinFreeTier(ctx, appointment.clinic_id, now);

  let meeting: Meeting | undefined;
  try {
    const { row, attendee } = await withTransaction(ctx.db, async (trx) => {
      const locked = await insertOrLockByAppointment(
        trx,
        newSessionRow({ ...appointment, appointment_id: appointment.id }, now),
      );
      requireTransition(locked.session_id, locked.status, "start");
      const sessionId = locked.session_id;
      meeting = await callProvider(ctx.provider, "createMeeting", () =>
        ctx.provider.createMeeting({ session_id: sessionId, clinic_id: appointment.clinic_id }),
      );
      const created = meeting;
      const attendee: Attendee = await callProvider(ctx.provider, "createAttendee", () =>
        ctx.provider.createAttendee(created, { session_id: sessionId, external_user_id: actor.user.id }),
      );
      const row = await updateSession(trx, sessionId, {
        status: "IN_PROGRESS",
        start_time: now,
        media_provider: ctx.provider.name,
        meeting_id: created.meeting_id,
        meeting_media_urls: JSON.stringify(created.media_urls),
        meeting_provider_data: JSON.stringify(created.provider_data ?? null),
        // The appointment may have been rescheduled or reassigned since it was booked: keep its latest facts.
        doctor_id: appointment.doctor_id,
        patient_id: appointment.patient_id,
        patient_name: appointment.patient_name,
        scheduled_start: new Date(appointment.start_time),
        scheduled_duration_minutes: appointment.duration_minutes,
        last_activity_at: now,
        updated_at: now,
      });
      await insertAttendee(trx, {
        attendee_id: attendee.attendee_id,
        session_id: sessionId,
        user_id: actor.user.id,
        user_type: "DOCTOR",
        name: actor.user.name || appointment.doctor_name,
        status: "JOINING",
        device_info: null,
        browser_info: null,
        provider_data: JSON.stringify(attendee.provider_data ?? null),
        created_at: now,
        updated_at: now,
      });
      await enqueue(
        trx,
        makeEvent(EventTypes.consultationStarted, "video-service", {
          appointment_id: appointmentId,
          session_id: sessionId,
          clinic_id: appointment.clinic_id,
          doctor_id: appointment.doctor_id,
          started_at: now.toISOString(),
        }),
      );
      await ctx.webhooks.sessionStarted(trx, row, now);
      return { row, attendee };
    });
    ctx.relay.notify();
    return {
      session_id: row.session_id,
      appointment_id: row.appointment_id,
      status: row.status,
      chime_meeting_id: attendeeMeetingId(row.meeting_id),
      doctor_attendee: {
        attendee_id: attendee.attendee_id,
        join_token: attendee.join_token,
        external_user_id: attendee.external_user_id,
        email: actor.user.email,
      },
      ...mediaFields(row, attendee.provider_data, req.signallingBase, ctx.provider),
      start_time: now.toISOString(),
      created_at: row.created_at.toISOString(),
    };
  } catch (err) {
    if (meeting) {
      const made = meeting;
      await ctx.provider
        .endMeeting(made)
        .catch((cleanupErr: Error) =>
          ctx.log.error({ err: cleanupErr, meetingId: made.meeting_id }, "could not end meeting after failed start"),
        );
    }
    throw err;
  }
}

function attendeeMeetingId(meetingId: string | null): string {
  if (!meetingId) throw new Error("started session without a meeting");
  return meetingId;
}

import { EventTypes } from "@clinic/contracts";
import { type CloudEvent, eventData, handleOnce } from "@clinic/platform";
import type { FastifyBaseLogger } from "fastify";
import { newSessionRow, withEarlyChanges } from "../sessions/new-session.ts";
import {
  cancelCreatedSession,
  findSessionByAppointment,
  insertIfAbsent,
  rescheduleCreatedSession,
} from "../sessions/sessions.repository.ts";
import type { VideoDb } from "../tables.ts";
import {
  lockAppointment,
  recordEarlyCancellation,
  recordEarlyReschedule,
  takeEarlyChanges,
} from "./early-changes.repository.ts";

export const CONSUMER = "video-service";
export const consumedEventTypes = [
  EventTypes.appointmentBooked,
  EventTypes.appointmentCancelled,
  EventTypes.appointmentRescheduled,
];

/**
 * Keeps sessions in step with appointments: `appointment.booked` creates a
 * CREATED session, `appointment.cancelled` moves a CREATED one to CANCELLED,
 * `appointment.rescheduled` moves a CREATED one's scheduled time. Each event has
 * its effect once (inbox); a malformed event is logged and skipped rather than retried
 * forever. Returns false for a repeat or an event that changed nothing.
 *
 * Events are not ordered (several queues, replicas, redeliveries): a cancellation or
 * reschedule handled before its booked event is recorded (`appointment_early_changes`) and
 * applied by the booked event, so a cancelled appointment never gets a CREATED session back;
 * of several early reschedules the one with the latest event `time` counts. A booked event
 * without video deletes what was recorded (no session will take it); cancellations and
 * reschedules of such appointments that come after it are recorded all the same (their data
 * does not say whether the appointment has video) and purged after EVENT_RETENTION_DAYS.
 * The appointment's lock makes a cancel and a booked handled at the same time see each other.
 */
export function appointmentEventHandler(db: VideoDb, log: FastifyBaseLogger, now: () => Date) {
  return async (event: CloudEvent): Promise<boolean> => {
    if (event.type === EventTypes.appointmentBooked) {
      const data = eventData(event, EventTypes.appointmentBooked);
      if (!data) return skip(log, event);
      if (!data.video_enabled) {
        // No session, ever: an early change recorded for it would wait for nothing.
        await db.transaction().execute(async (trx) => {
          await lockAppointment(trx, data.appointment_id);
          if (await takeEarlyChanges(trx, data.appointment_id)) {
            log.info(
              { eventId: event.id, appointmentId: data.appointment_id },
              "appointment without video: the change recorded before its booked event is dropped",
            );
          }
        });
        return false;
      }
      return handleOnce(db, CONSUMER, event, async (trx) => {
        await lockAppointment(trx, data.appointment_id);
        const early = await takeEarlyChanges(trx, data.appointment_id);
        await insertIfAbsent(trx, withEarlyChanges(newSessionRow(data, now()), early, { schedule: true }));
      });
    }
    if (event.type === EventTypes.appointmentCancelled) {
      const data = eventData(event, EventTypes.appointmentCancelled);
      if (!data) return skip(log, event);
      return handleOnce(db, CONSUMER, event, async (trx) => {
        await lockAppointment(trx, data.appointment_id);
        if ((await cancelCreatedSession(trx, data.appointment_id, now())) > 0) return;
        const session = await findSessionByAppointment(trx, data.appointment_id);
        if (session) {
          log.info(
            { eventId: event.id, appointmentId: data.appointment_id, sessionStatus: session.status },
            "cancelled appointment's session is not CREATED; left as it is",
          );
          return;
        }
        await recordEarlyCancellation(
          trx,
          { appointment_id: data.appointment_id, clinic_id: data.clinic_id, cancelled_at: new Date(data.cancelled_at) },
          now(),
        );
        log.info(
          { eventId: event.id, appointmentId: data.appointment_id },
          "cancellation handled before appointment.booked: recorded for it",
        );
      });
    }
    if (event.type === EventTypes.appointmentRescheduled) {
      const data = eventData(event, EventTypes.appointmentRescheduled);
      if (!data) return skip(log, event);
      return handleOnce(db, CONSUMER, event, async (trx) => {
        const change = {
          appointment_id: data.appointment_id,
          clinic_id: data.clinic_id,
          start: new Date(data.start_time),
          duration_minutes: data.duration_minutes,
        };
        await lockAppointment(trx, data.appointment_id);
        if (!(await findSessionByAppointment(trx, data.appointment_id))) {
          await recordEarlyReschedule(trx, { ...change, eventTime: eventTime(event) }, now());
          return;
        }
        // Only a session not yet started follows the appointment; a started one keeps its times.
        await rescheduleCreatedSession(trx, change, now());
      });
    }
    return false;
  };
}

/** The event's CloudEvent `time`; null when missing or unreadable (it then loses to any with a time). */
function eventTime(event: CloudEvent): Date | null {
  const ms = typeof event.time === "string" ? Date.parse(event.time) : Number.NaN;
  return Number.isNaN(ms) ? null : new Date(ms);
}

function skip(log: FastifyBaseLogger, event: CloudEvent): false {
  log.warn({ eventId: event.id, type: event.type }, "malformed event skipped");
  return false;
}

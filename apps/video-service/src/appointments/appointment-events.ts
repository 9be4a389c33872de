import { EventTypes } from "@clinic/contracts";
import { type CloudEvent, eventData, handleOnce } from "@clinic/platform";
import type { FastifyBaseLogger } from "fastify";
import { newSessionRow } from "../sessions/new-session.ts";
import { cancelCreatedSession, insertIfAbsent, rescheduleCreatedSession } from "../sessions/sessions.repository.ts";
import type { VideoDb } from "../tables.ts";

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
 */
export function appointmentEventHandler(db: VideoDb, log: FastifyBaseLogger, now: () => Date) {
  return async (event: CloudEvent): Promise<boolean> => {
    if (event.type === EventTypes.appointmentBooked) {
      const data = eventData(event, EventTypes.appointmentBooked);
      if (!data) return skip(log, event);
      if (!data.video_enabled) return false;
      return handleOnce(db, CONSUMER, event, async (trx) => {
        await insertIfAbsent(trx, newSessionRow(data, now()));
      });
    }
    if (event.type === EventTypes.appointmentCancelled) {
      const data = eventData(event, EventTypes.appointmentCancelled);
      if (!data) return skip(log, event);
      return handleOnce(db, CONSUMER, event, async (trx) => {
        if ((await cancelCreatedSession(trx, data.appointment_id, now())) === 0) {
          log.info(
            { eventId: event.id, appointmentId: data.appointment_id },
            "cancelled appointment has no CREATED session",
          );
        }
      });
    }
    if (event.type === EventTypes.appointmentRescheduled) {
      const data = eventData(event, EventTypes.appointmentRescheduled);
      if (!data) return skip(log, event);
      return handleOnce(db, CONSUMER, event, async (trx) => {
        // Only a session not yet started follows the appointment; a started one keeps its times.
        await rescheduleCreatedSession(
          trx,
          {
            appointment_id: data.appointment_id,
            clinic_id: data.clinic_id,
            start: new Date(data.start_time),
            duration_minutes: data.duration_minutes,
          },
          now(),
        );
      });
    }
    return false;
  };
}

function skip(log: FastifyBaseLogger, event: CloudEvent): false {
  log.warn({ eventId: event.id, type: event.type }, "malformed event skipped");
  return false;
}

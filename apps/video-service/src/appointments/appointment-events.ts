import {
  AppointmentBookedData,
  AppointmentCancelledData,
  AppointmentRescheduledData,
  EventTypes,
} from "@clinic/contracts";
import { type CloudEvent, handleOnce } from "@clinic/platform";
import type { FastifyBaseLogger } from "fastify";
import { Value } from "typebox/value";
import { newSessionRow } from "../sessions/new-session.ts";
import { insertIfAbsent } from "../sessions/sessions.repository.ts";
import type { VideoDb } from "../tables.ts";

export const CONSUMER = "video-service";
export const consumedEventTypes = [
  EventTypes.appointmentBooked,
  EventTypes.appointmentCancelled,
  EventTypes.appointmentRescheduled,
];

/**
 * Keeps sessions in step with appointments (design.md §6): `appointment.booked` creates a
 * CREATED session, `appointment.cancelled` moves a CREATED one to CANCELLED,
 * `appointment.rescheduled` moves a CREATED one's scheduled time. Each event has
 * its effect once (inbox); a malformed event is logged and skipped rather than retried
 * forever. Returns false for a repeat or an event that changed nothing.
 */
export function appointmentEventHandler(db: VideoDb, log: FastifyBaseLogger, now: () => Date) {
  return async (event: CloudEvent): Promise<boolean> => {
    if (event.type === EventTypes.appointmentBooked) {
      if (!Value.Check(AppointmentBookedData, event.data)) return skip(log, event);
      const data = event.data;
      if (!data.video_enabled) return false;
      return handleOnce(db, CONSUMER, event, async (trx) => {
        await insertIfAbsent(trx, newSessionRow(data, now()));
      });
    }
    if (event.type === EventTypes.appointmentCancelled) {
      if (!Value.Check(AppointmentCancelledData, event.data)) return skip(log, event);
      const data = event.data;
      return handleOnce(db, CONSUMER, event, async (trx) => {
        const result = await trx
          .updateTable("sessions")
          .set({ status: "CANCELLED", updated_at: now() })
          .where("appointment_id", "=", data.appointment_id)
          .where("status", "=", "CREATED")
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) {
          log.info(
            { eventId: event.id, appointmentId: data.appointment_id },
            "cancelled appointment has no CREATED session",
          );
        }
      });
    }
    if (event.type === EventTypes.appointmentRescheduled) {
      if (!Value.Check(AppointmentRescheduledData, event.data)) return skip(log, event);
      const data = event.data;
      return handleOnce(db, CONSUMER, event, async (trx) => {
        // Only a session not yet started follows the appointment; a started one keeps its times.
        await trx
          .updateTable("sessions")
          .set({
            scheduled_start: new Date(data.start_time),
            scheduled_duration_minutes: data.duration_minutes,
            updated_at: now(),
          })
          .where("appointment_id", "=", data.appointment_id)
          .where("clinic_id", "=", data.clinic_id)
          .where("status", "=", "CREATED")
          .execute();
      });
    }
    return false;
  };
}

function skip(log: FastifyBaseLogger, event: CloudEvent): false {
  log.warn({ eventId: event.id, type: event.type }, "malformed event skipped");
  return false;
}

import { randomUUID } from "node:crypto";
import {
  type Appointment,
  type AppointmentBookedData,
  type AppointmentCancelledData,
  type AppointmentList,
  type AppointmentRescheduledData,
  type BookAppointmentRequest,
  EventTypes,
  type ListAppointmentsQuery,
  type RescheduleAppointmentRequest,
} from "@clinic/contracts";
import { enqueueEvent, makeEvent, withTransaction } from "@clinic/platform";
import type { Kysely } from "kysely";
import type { AppointmentsTables } from "../database.ts";
import { asOutbox } from "../database.ts";
import type { Directory } from "../directory/directory.client.ts";
import {
  AppointmentNotFound,
  AppointmentNotScheduled,
  DoctorUnavailable,
  InvalidAppointmentRequest,
} from "../errors.ts";
import { type Actor, AppointmentAccess } from "./appointment-access.ts";
import { type AppointmentRow, appointmentsRepository as repo } from "./appointments.repository.ts";

const eventSource = "appointments-service";
/** A booking may start a little in the past (the form was open for a while), not more. */
const pastGraceMs = 5 * 60_000;

export interface AppointmentsServiceDeps {
  db: Kysely<AppointmentsTables>;
  /** Where a booking's doctor and patient are checked and their names come from. */
  directory: Directory;
  /** Called after a commit that wrote to the outbox (wakes the relay). */
  onEventsEnqueued?: () => void;
  now?: () => Date;
  /** INVITE_GRACE_AFTER_MIN: an invite holder's read is re-checked against the join window. */
  inviteGraceMinutes?: number;
}

function toAppointment(row: AppointmentRow): Appointment {
  return {
    id: row.id,
    clinic_id: row.clinic_id,
    doctor_id: row.doctor_id,
    doctor_name: row.doctor_name,
    patient_id: row.patient_id,
    patient_name: row.patient_name,
    start_time: new Date(row.start_time).toISOString(),
    duration_minutes: row.duration_minutes,
    booking_type: row.booking_type,
    video_enabled: row.video_enabled,
    status: row.status,
    session_id: row.session_id,
    consultation_duration_minutes: row.consultation_duration_minutes,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

const endOf = (start: Date, minutes: number) => new Date(start.getTime() + minutes * 60_000);

export type AppointmentsService = ReturnType<typeof createAppointmentsService>;

export function createAppointmentsService({
  db,
  directory,
  onEventsEnqueued = () => undefined,
  now = () => new Date(),
  inviteGraceMinutes,
}: AppointmentsServiceDeps) {
  const access = new AppointmentAccess(db, {
    now,
    ...(inviteGraceMinutes !== undefined ? { inviteGraceMinutes } : {}),
  });
  return {
    async list(actor: Actor, query: ListAppointmentsQuery): Promise<AppointmentList> {
      const from = query.from ? new Date(query.from) : undefined;
      const to = query.to ? new Date(query.to) : undefined;
      if (from && to && from >= to)
        throw new InvalidAppointmentRequest("INVALID_TIME_RANGE", "`from` must be before `to`");
      const scope = await access.list(actor);
      const { total, rows } = await repo.list(db, {
        scope,
        from,
        to,
        statuses: query.status,
        limit: query.limit,
        offset: query.offset,
      });
      return { total, limit: query.limit, offset: query.offset, appointments: rows.map(toAppointment) };
    },

    async get(actor: Actor, id: string): Promise<Appointment> {
      return toAppointment(await access.check(actor, "READ", id, await repo.find(db, id)));
    },

    /** `allowPast` is for the demo seed's history only; the HTTP route never sets it. */
    async book(
      actor: Actor,
      input: BookAppointmentRequest,
      options: { allowPast?: boolean } = {},
    ): Promise<Appointment> {
      // Names come from the directory; `patient_name`/`doctor_name` in the body are ignored.
      const { doctor, patient } = await access.bookingPeople(actor, input, directory);
      const start = new Date(input.start_time);
      if (!options.allowPast && start.getTime() < now().getTime() - pastGraceMs) {
        throw new InvalidAppointmentRequest("START_TIME_IN_PAST", "An appointment cannot be booked in the past");
      }
      const row = await withTransaction(db, async (trx) => {
        await repo.lockDoctor(trx, actor.user.clinic_id, doctor.id);
        const overlap = await repo.findOverlap(
          trx,
          actor.user.clinic_id,
          doctor.id,
          start,
          endOf(start, input.duration_minutes),
        );
        if (overlap) throw new DoctorUnavailable(overlap.id);
        const row = await repo.insert(trx, {
          id: `appt-${randomUUID()}`,
          clinic_id: actor.user.clinic_id,
          doctor_id: doctor.id,
          doctor_name: doctor.name,
          patient_id: patient.id,
          patient_name: patient.name,
          start_time: start,
          duration_minutes: input.duration_minutes,
          booking_type: "CLINIC_BASED",
          video_enabled: input.video_enabled ?? true,
          status: "SCHEDULED",
          session_id: null,
          consultation_duration_minutes: null,
        });
        const data: AppointmentBookedData = {
          appointment_id: row.id,
          clinic_id: row.clinic_id,
          doctor_id: row.doctor_id,
          patient_id: row.patient_id,
          patient_name: row.patient_name,
          start_time: start.toISOString(),
          duration_minutes: row.duration_minutes,
          booking_type: "CLINIC_BASED",
          video_enabled: row.video_enabled,
        };
        await enqueueEvent(asOutbox(trx), makeEvent(EventTypes.appointmentBooked, eventSource, data, row.id));
        await access.recordBooking(trx, actor, row.id);
        return row;
      });
      onEventsEnqueued();
      return toAppointment(row);
    },

    async cancel(actor: Actor, id: string): Promise<Appointment> {
      // Decided and audited before the transaction, so a refusal's row is not rolled back
      // with it; who an appointment belongs to never changes, so the decision still holds.
      await access.check(actor, "CANCEL", id, await repo.find(db, id));
      const row = await withTransaction(db, async (trx) => {
        const current = await repo.find(trx, id, { lock: true });
        if (!current) throw new AppointmentNotFound();
        const cancelled = await repo.transition(trx, id, ["SCHEDULED"], { status: "CANCELLED" });
        if (!cancelled) throw new AppointmentNotScheduled(current.status);
        const data: AppointmentCancelledData = {
          appointment_id: id,
          clinic_id: cancelled.clinic_id,
          cancelled_at: new Date(cancelled.updated_at).toISOString(),
        };
        await enqueueEvent(asOutbox(trx), makeEvent(EventTypes.appointmentCancelled, eventSource, data, id));
        return cancelled;
      });
      onEventsEnqueued();
      return toAppointment(row);
    },

    async reschedule(actor: Actor, id: string, input: RescheduleAppointmentRequest): Promise<Appointment> {
      const start = new Date(input.start_time);
      if (start.getTime() < now().getTime() - pastGraceMs) {
        throw new InvalidAppointmentRequest("START_TIME_IN_PAST", "An appointment cannot be moved into the past");
      }
      await access.check(actor, "RESCHEDULE", id, await repo.find(db, id));
      const row = await withTransaction(db, async (trx) => {
        const current = await repo.find(trx, id, { lock: true });
        if (!current) throw new AppointmentNotFound();
        if (current.status !== "SCHEDULED") throw new AppointmentNotScheduled(current.status);
        const duration = input.duration_minutes ?? current.duration_minutes;
        await repo.lockDoctor(trx, current.clinic_id, current.doctor_id);
        const overlap = await repo.findOverlap(
          trx,
          current.clinic_id,
          current.doctor_id,
          start,
          endOf(start, duration),
          id,
        );
        if (overlap) throw new DoctorUnavailable(overlap.id);
        const moved = await repo.transition(trx, id, ["SCHEDULED"], { start_time: start, duration_minutes: duration });
        if (!moved) throw new AppointmentNotScheduled(current.status);
        const data: AppointmentRescheduledData = {
          appointment_id: id,
          clinic_id: moved.clinic_id,
          start_time: start.toISOString(),
          duration_minutes: duration,
        };
        await enqueueEvent(asOutbox(trx), makeEvent(EventTypes.appointmentRescheduled, eventSource, data, id));
        return moved;
      });
      onEventsEnqueued();
      return toAppointment(row);
    },
  };
}

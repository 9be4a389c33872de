import { type Static, Type } from "typebox";
import { AppointmentId, ClinicId, SessionId, Timestamp, UserId } from "./common.ts";

/** The exchange every service publishes to (the RabbitMQ bus's default). */
export const EVENTS_EXCHANGE = "clinic.events";

export const AppointmentBookedData = Type.Object({
  appointment_id: AppointmentId,
  clinic_id: ClinicId,
  doctor_id: UserId,
  patient_id: UserId,
  patient_name: Type.String(),
  start_time: Timestamp,
  duration_minutes: Type.Integer(),
  booking_type: Type.Literal("CLINIC_BASED"),
  video_enabled: Type.Boolean(),
});
export type AppointmentBookedData = Static<typeof AppointmentBookedData>;

export const AppointmentCancelledData = Type.Object({
  appointment_id: AppointmentId,
  clinic_id: ClinicId,
  cancelled_at: Timestamp,
});
export type AppointmentCancelledData = Static<typeof AppointmentCancelledData>;

export const AppointmentRescheduledData = Type.Object({
  appointment_id: AppointmentId,
  clinic_id: ClinicId,
  start_time: Timestamp,
  duration_minutes: Type.Integer(),
});
export type AppointmentRescheduledData = Static<typeof AppointmentRescheduledData>;

export const ConsultationStartedData = Type.Object({
  appointment_id: AppointmentId,
  session_id: SessionId,
  clinic_id: ClinicId,
  doctor_id: UserId,
  started_at: Timestamp,
});
export type ConsultationStartedData = Static<typeof ConsultationStartedData>;

export const ConsultationCompletedData = Type.Object({
  appointment_id: AppointmentId,
  session_id: SessionId,
  clinic_id: ClinicId,
  doctor_id: UserId,
  started_at: Timestamp,
  ended_at: Timestamp,
  duration_seconds: Type.Integer({ minimum: 0 }),
  duration_minutes: Type.Integer({ minimum: 0 }),
});
export type ConsultationCompletedData = Static<typeof ConsultationCompletedData>;

/**
 * The event catalogue, the one list of events: each type (also the routing
 * key on RabbitMQ) with the schema of its data. `makeEvent` and the consumers are typed
 * from it, and consumers check incoming data against it.
 */
export const EventCatalogue = {
  "appointment.booked": AppointmentBookedData,
  "appointment.cancelled": AppointmentCancelledData,
  "appointment.rescheduled": AppointmentRescheduledData,
  "appointment.consultation.started": ConsultationStartedData,
  "appointment.consultation.completed": ConsultationCompletedData,
} as const;
export type EventType = keyof typeof EventCatalogue;
export type EventData<K extends EventType> = Static<(typeof EventCatalogue)[K]>;

/** Names for the catalogue's types in code. */
export const EventTypes = {
  appointmentBooked: "appointment.booked",
  appointmentCancelled: "appointment.cancelled",
  appointmentRescheduled: "appointment.rescheduled",
  consultationStarted: "appointment.consultation.started",
  consultationCompleted: "appointment.consultation.completed",
} as const satisfies Record<string, EventType>;

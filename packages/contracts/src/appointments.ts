import { type Static, Type } from "typebox";
import { AppointmentId, ClinicId, NullableTimestamp, SessionId, Timestamp, UserId } from "./common.ts";
import { NonBlankSingleLineText } from "./text.ts";

export const AppointmentStatus = Type.Union([
  Type.Literal("SCHEDULED"),
  Type.Literal("IN_PROGRESS"),
  Type.Literal("COMPLETED"),
  Type.Literal("CANCELLED"),
]);
export type AppointmentStatus = Static<typeof AppointmentStatus>;

export const BookingType = Type.Literal("CLINIC_BASED");

/**
 * An appointment as the appointments service serves it (`GET /api/appointments/{id}`),
 * and as the video service reads it to decide who may start/join what.
 */
export const Appointment = Type.Object(
  {
    id: AppointmentId,
    clinic_id: ClinicId,
    doctor_id: UserId,
    doctor_name: Type.String(),
    patient_id: UserId,
    patient_name: Type.String(),
    start_time: Timestamp,
    duration_minutes: Type.Integer({ minimum: 5, maximum: 480 }),
    booking_type: BookingType,
    video_enabled: Type.Boolean(),
    status: AppointmentStatus,
    session_id: Type.Union([SessionId, Type.Null()]),
    consultation_duration_minutes: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: "Appointment" },
);
export type Appointment = Static<typeof Appointment>;
export { NullableTimestamp };

/** `GET /api/appointments`: `from` inclusive, `to` exclusive, both on `start_time`. */
export const ListAppointmentsQuery = Type.Object(
  {
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    status: Type.Optional(
      Type.Array(AppointmentStatus, { minItems: 1, maxItems: 4, description: "repeat to match any of several" }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
  },
  { additionalProperties: false },
);
export type ListAppointmentsQuery = Static<typeof ListAppointmentsQuery>;

export const AppointmentList = Type.Object({
  total: Type.Integer({ minimum: 0, description: "appointments matching the filters, over all pages" }),
  limit: Type.Integer(),
  offset: Type.Integer(),
  appointments: Type.Array(Appointment),
});
export type AppointmentList = Static<typeof AppointmentList>;

export const AppointmentParams = Type.Object({ id: AppointmentId }, { additionalProperties: false });
export type AppointmentParams = Static<typeof AppointmentParams>;

const DurationMinutes = Type.Integer({ minimum: 5, maximum: 480 });

/** Names sent by older clients: still accepted, never stored (the directory's names are). */
const IgnoredName = (who: string) =>
  NonBlankSingleLineText({
    minLength: 1,
    maxLength: 200,
    deprecated: true,
    description: `Ignored: the ${who}'s name is taken from the clinic's directory (accepted for older clients)`,
  });

/**
 * `POST /api/appointments`. A doctor books for themselves (doctor_id omitted or their own
 * id); an admin books for a doctor of their clinic (doctor_id). Patient and doctor must be
 * active people of the caller's clinic in the auth service's directory, which supplies their names.
 */
export const BookAppointmentRequest = Type.Object(
  {
    patient_id: UserId,
    patient_name: Type.Optional(IgnoredName("patient")),
    doctor_id: Type.Optional(UserId),
    doctor_name: Type.Optional(IgnoredName("doctor")),
    start_time: Timestamp,
    duration_minutes: DurationMinutes,
    video_enabled: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
);
export type BookAppointmentRequest = Static<typeof BookAppointmentRequest>;

/** `POST /api/appointments/{id}/reschedule`; only a SCHEDULED appointment moves. */
export const RescheduleAppointmentRequest = Type.Object(
  { start_time: Timestamp, duration_minutes: Type.Optional(DurationMinutes) },
  { additionalProperties: false },
);
export type RescheduleAppointmentRequest = Static<typeof RescheduleAppointmentRequest>;

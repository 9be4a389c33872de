import { type Static, Type } from "typebox";
import { AppointmentId, ClinicId, NullableTimestamp, SessionId, Timestamp, UserId } from "./common.ts";

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

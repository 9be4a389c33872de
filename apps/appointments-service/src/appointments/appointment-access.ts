import type { BookAppointmentRequest } from "@clinic/contracts";
import type { AuthUser } from "@clinic/platform";
import type { Kysely, Transaction } from "kysely";
import type { AppointmentsTables } from "../database.ts";
import { BookingNotAllowed, InvalidAppointmentRequest, NotYourAppointment } from "../errors.ts";
import { type AppointmentRow, type AppointmentScope, appointmentsRepository } from "./appointments.repository.ts";

/**
 * "Is this appointment theirs?" — answered here and nowhere else (design.md §2):
 * a doctor: appointments where they are the doctor; a patient: their own, read-only;
 * an admin: every appointment of their clinic. Nobody sees another clinic's.
 */
export interface Actor {
  user: AuthUser;
  requestId?: string;
}

export type AuditAction = "LIST" | "READ" | "BOOK" | "CANCEL" | "RESCHEDULE";

export function listScope({ user }: Actor): AppointmentScope {
  switch (user.role) {
    case "DOCTOR":
      return { kind: "doctor", clinicId: user.clinic_id, doctorId: user.id };
    case "PATIENT":
      return { kind: "patient", clinicId: user.clinic_id, patientId: user.id };
    case "ADMIN":
      return { kind: "clinic", clinicId: user.clinic_id };
  }
}

export function assertCanRead({ user }: Actor, row: AppointmentRow): void {
  if (row.clinic_id !== user.clinic_id) throw new NotYourAppointment();
  if (user.role === "DOCTOR" && row.doctor_id !== user.id) throw new NotYourAppointment();
  if (user.role === "PATIENT" && row.patient_id !== user.id) throw new NotYourAppointment();
}

/** Cancelling and rescheduling: the appointment's doctor or an admin of its clinic. */
export function assertCanChange(actor: Actor, row: AppointmentRow): void {
  assertCanRead(actor, row);
  if (actor.user.role === "PATIENT") throw new NotYourAppointment();
}

/** Which doctor a booking is for: a doctor books only for themselves, an admin names one. */
export function bookingDoctor({ user }: Actor, input: BookAppointmentRequest): { id: string; name: string } {
  if (user.role === "DOCTOR") {
    if (input.doctor_id !== undefined && input.doctor_id !== user.id) {
      throw new BookingNotAllowed("A doctor can book appointments only for themselves");
    }
    // The name comes from the signed token; the body can only fill in for a token without one.
    return { id: user.id, name: user.name || input.doctor_name || user.id };
  }
  if (user.role === "ADMIN") {
    if (!input.doctor_id || !input.doctor_name) {
      throw new InvalidAppointmentRequest("DOCTOR_REQUIRED", "An admin booking must name doctor_id and doctor_name");
    }
    return { id: input.doctor_id, name: input.doctor_name };
  }
  throw new BookingNotAllowed("Only doctors and clinic admins can book appointments");
}

/** Appends who did what to which appointment; names and notes are never stored here. */
export async function recordAccess(
  db: Kysely<AppointmentsTables> | Transaction<AppointmentsTables>,
  { user, requestId }: Actor,
  action: AuditAction,
  appointmentId: string | null,
): Promise<void> {
  await appointmentsRepository.audit(db, {
    actor_id: user.id,
    actor_role: user.role,
    clinic_id: user.clinic_id,
    action,
    appointment_id: appointmentId,
    request_id: requestId ?? null,
  });
}

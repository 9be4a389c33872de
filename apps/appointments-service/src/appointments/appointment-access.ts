import type { BookAppointmentRequest } from "@clinic/contracts";
import type { AuthUser } from "@clinic/platform";
import type { Kysely, Transaction } from "kysely";
import { appendAudit } from "../audit/audit.repository.ts";
import type { AppointmentsTables } from "../database.ts";
import { AppointmentNotFound, BookingNotAllowed, InvalidAppointmentRequest, NotYourAppointment } from "../errors.ts";
import type { AppointmentRow, AppointmentScope } from "./appointments.repository.ts";

/**
 * "Is this appointment theirs?" — answered here and nowhere else:
 * a doctor: appointments where they are the doctor; a patient: their own, read-only;
 * an admin: every appointment of their clinic. Every answer, yes or no, is written to the
 * append-only appointment_audit (who, role, clinic, action, outcome, reason, appointment,
 * request id; never names), as the video service's session-access.ts does for sessions.
 *
 * Another clinic's appointment does not exist for the caller: 404, the same answer as an
 * unknown id, so ids cannot be probed across clinics. Inside the clinic (one trust
 * boundary, whose admins see everything) "not yours" is a 403, as for video sessions.
 */
export interface Actor {
  user: AuthUser;
  requestId: string;
}

export type AuditAction = "LIST" | "READ" | "BOOK" | "CANCEL" | "RESCHEDULE";

/** Why access was refused: the audit row's `reason`. */
export type Refusal = "NOT_FOUND" | "OTHER_CLINIC" | "NOT_THEIRS" | "ROLE_NOT_ALLOWED" | "OTHER_DOCTOR";

type Db = Kysely<AppointmentsTables> | Transaction<AppointmentsTables>;

/** The rules for one appointment, pure: null means allowed. */
export function decide(user: AuthUser, action: "READ" | "CANCEL" | "RESCHEDULE", row?: AppointmentRow): Refusal | null {
  if (!row) return "NOT_FOUND";
  if (row.clinic_id !== user.clinic_id) return "OTHER_CLINIC";
  if (user.role === "DOCTOR" && row.doctor_id !== user.id) return "NOT_THEIRS";
  if (user.role === "PATIENT" && row.patient_id !== user.id) return "NOT_THEIRS";
  // Cancelling and rescheduling: the appointment's doctor or an admin of its clinic.
  if (action !== "READ" && user.role === "PATIENT") return "ROLE_NOT_ALLOWED";
  return null;
}

/** The booking rule, pure: a doctor books only for themselves, an admin for a doctor of the clinic. */
export function decideBooking(user: AuthUser, input: Pick<BookAppointmentRequest, "doctor_id">): Refusal | null {
  if (user.role === "PATIENT") return "ROLE_NOT_ALLOWED";
  if (user.role === "DOCTOR" && input.doctor_id !== undefined && input.doctor_id !== user.id) return "OTHER_DOCTOR";
  return null;
}

function listScope({ user }: Actor): AppointmentScope {
  switch (user.role) {
    case "DOCTOR":
      return { kind: "doctor", clinicId: user.clinic_id, doctorId: user.id };
    case "PATIENT":
      return { kind: "patient", clinicId: user.clinic_id, patientId: user.id };
    case "ADMIN":
      return { kind: "clinic", clinicId: user.clinic_id };
  }
}

export class AppointmentAccess {
  constructor(private readonly db: Kysely<AppointmentsTables>) {}

  /** Everyone signed in lists their own (the scope says whose); audited. */
  async list(actor: Actor): Promise<AppointmentScope> {
    await this.audit(this.db, actor, "LIST", null, null);
    return listScope(actor);
  }

  /**
   * Allows or throws 404/403 for one appointment (`row` as loaded; undefined when there is
   * none); audits either way, on its own connection, so a refusal is on record even though
   * the request fails, and a permission is on record before the change is attempted.
   */
  async check(
    actor: Actor,
    action: "READ" | "CANCEL" | "RESCHEDULE",
    id: string,
    row: AppointmentRow | undefined,
  ): Promise<AppointmentRow> {
    const refusal = decide(actor.user, action, row);
    await this.audit(this.db, actor, action, id, refusal);
    if (refusal === "NOT_FOUND" || refusal === "OTHER_CLINIC") throw new AppointmentNotFound();
    if (refusal || !row) throw new NotYourAppointment();
    return row;
  }

  /**
   * Which doctor a booking is for; a refused booking is audited here. An allowed one is
   * audited by `recordBooking`, in the transaction that creates the appointment, so its row
   * names an appointment that exists.
   */
  async bookingDoctor(actor: Actor, input: BookAppointmentRequest): Promise<{ id: string; name: string }> {
    const { user } = actor;
    const refusal = decideBooking(user, input);
    if (refusal) {
      await this.audit(this.db, actor, "BOOK", null, refusal);
      throw new BookingNotAllowed(
        refusal === "OTHER_DOCTOR"
          ? "A doctor can book appointments only for themselves"
          : "Only doctors and clinic admins can book appointments",
      );
    }
    if (user.role === "ADMIN") {
      if (!input.doctor_id || !input.doctor_name) {
        throw new InvalidAppointmentRequest("DOCTOR_REQUIRED", "An admin booking must name doctor_id and doctor_name");
      }
      return { id: input.doctor_id, name: input.doctor_name };
    }
    // The name comes from the signed token; the body can only fill in for a token without one.
    return { id: user.id, name: user.name || input.doctor_name || user.id };
  }

  recordBooking(trx: Transaction<AppointmentsTables>, actor: Actor, appointmentId: string): Promise<void> {
    return this.audit(trx, actor, "BOOK", appointmentId, null);
  }

  private audit(
    db: Db,
    { user, requestId }: Actor,
    action: AuditAction,
    appointmentId: string | null,
    refusal: Refusal | null,
  ): Promise<void> {
    return appendAudit(db, {
      actor_id: user.id,
      actor_role: user.role,
      clinic_id: user.clinic_id,
      action,
      outcome: refusal ? "DENIED" : "ALLOWED",
      reason: refusal,
      appointment_id: appointmentId,
      request_id: requestId,
    });
  }
}

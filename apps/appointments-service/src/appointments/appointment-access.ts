import type { BookAppointmentRequest } from "@clinic/contracts";
import type { AuthUser } from "@clinic/platform";
import type { Kysely, Transaction } from "kysely";
import { appendAudit } from "../audit/audit.repository.ts";
import type { AppointmentsTables } from "../database.ts";
import type { Directory, DirectoryPerson } from "../directory/directory.client.ts";
import {
  AppointmentNotFound,
  BookingNotAllowed,
  BookingPersonRefused,
  InvalidAppointmentRequest,
  type InviteGoneCode,
  InviteNoLongerValid,
  NotYourAppointment,
} from "../errors.ts";
import { inviteExpiry } from "../invites/invite-rules.ts";
import { type InviteRow, invitesRepository } from "../invites/invites.repository.ts";
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
  /** The caller's access token, forwarded to the directory (absent for the demo seed). */
  bearerToken?: string;
}

export type AuditAction =
  | "LIST"
  | "READ"
  | "BOOK"
  | "CANCEL"
  | "RESCHEDULE"
  // Invite links (issue 11): made, revoked, and opened (resolved) by their holder.
  | "INVITE"
  | "REVOKE_INVITE"
  | "RESOLVE_INVITE";

/** What may be done to one existing appointment. */
export type AppointmentAction = "READ" | "CANCEL" | "RESCHEDULE" | "INVITE" | "REVOKE_INVITE";

/** Why access was refused: the audit row's `reason`. */
export type Refusal =
  | "NOT_FOUND"
  | "OTHER_CLINIC"
  | "NOT_THEIRS"
  | "ROLE_NOT_ALLOWED"
  | "OTHER_DOCTOR"
  // An invite-scoped token used for anything but its own appointment.
  | "INVITE_SCOPE"
  | InviteGoneCode
  | BookingPersonRefusal;

/** A booking's person as the directory answered for them, refused. */
export type BookingPersonRefusal = "UNKNOWN_PATIENT" | "PATIENT_INACTIVE" | "UNKNOWN_DOCTOR" | "DOCTOR_INACTIVE";

type Db = Kysely<AppointmentsTables> | Transaction<AppointmentsTables>;

/** The rules for one appointment, pure: null means allowed. */
export function decide(user: AuthUser, action: AppointmentAction, row?: AppointmentRow): Refusal | null {
  if (!row) return "NOT_FOUND";
  if (row.clinic_id !== user.clinic_id) return "OTHER_CLINIC";
  // An invite holder reads the one appointment of their invite, nothing else (not even
  // another appointment of the same patient).
  if (user.invite && (action !== "READ" || row.id !== user.invite.appointment_id)) return "INVITE_SCOPE";
  if (user.role === "DOCTOR" && row.doctor_id !== user.id) return "NOT_THEIRS";
  if (user.role === "PATIENT" && row.patient_id !== user.id) return "NOT_THEIRS";
  // Cancelling, rescheduling and invites: the appointment's doctor or an admin of its clinic.
  if (action !== "READ" && user.role === "PATIENT") return "ROLE_NOT_ALLOWED";
  return null;
}

/**
 * An exchanged invite token is re-checked on every use: revoked, or past the join window as
 * it is now (a reschedule moves it), it opens nothing (null: still live). A cancelled or
 * completed appointment stays readable until then, so the invite page can say so.
 */
export function decideLiveInvite(
  user: AuthUser,
  row: AppointmentRow,
  invite: InviteRow | undefined,
  now: Date,
  graceMinutes: number,
): Refusal | null {
  if (!user.invite) return null;
  if (!invite || invite.appointment_id !== row.id || invite.patient_id !== user.id) return "INVITE_SCOPE";
  if (invite.revoked_at) return "INVITE_REVOKED";
  if (now.getTime() >= inviteExpiry(row, graceMinutes).getTime()) return "INVITE_EXPIRED";
  return null;
}

/** The booking rule, pure: a doctor books only for themselves, an admin for a doctor of the clinic. */
export function decideBooking(user: AuthUser, input: Pick<BookAppointmentRequest, "doctor_id">): Refusal | null {
  if (user.role === "PATIENT") return "ROLE_NOT_ALLOWED";
  if (user.role === "DOCTOR" && input.doctor_id !== undefined && input.doctor_id !== user.id) return "OTHER_DOCTOR";
  return null;
}

/**
 * The booking's people, pure: each must be someone of the caller's clinic with the right role
 * (a doctor's id given as the patient is no patient), and active.
 */
export function decideBookingPeople(
  user: AuthUser,
  patient: DirectoryPerson | undefined,
  doctor: DirectoryPerson | undefined,
): BookingPersonRefusal | null {
  // The directory answers for the caller's clinic; the clinic is checked again all the same.
  const fits = (person: DirectoryPerson | undefined, role: "PATIENT" | "DOCTOR") =>
    person !== undefined && person.role === role && person.clinic_id === user.clinic_id;
  if (!fits(patient, "PATIENT")) return "UNKNOWN_PATIENT";
  if (!patient?.active) return "PATIENT_INACTIVE";
  if (!fits(doctor, "DOCTOR")) return "UNKNOWN_DOCTOR";
  if (!doctor?.active) return "DOCTOR_INACTIVE";
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

export interface AccessOptions {
  now?: () => Date;
  /** INVITE_GRACE_AFTER_MIN: how long after an appointment's planned end its invites work. */
  inviteGraceMinutes?: number;
}

export class AppointmentAccess {
  private readonly now: () => Date;
  private readonly inviteGraceMinutes: number;

  constructor(
    private readonly db: Kysely<AppointmentsTables>,
    options: AccessOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.inviteGraceMinutes = options.inviteGraceMinutes ?? 30;
  }

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
    action: AppointmentAction,
    id: string,
    row: AppointmentRow | undefined,
  ): Promise<AppointmentRow> {
    const invite = actor.user.invite;
    // An invite holder is told 403 for any other id, known or not, of any clinic: the link
    // opens one consultation and reveals nothing about which other ids exist.
    let refusal: Refusal | null =
      invite && (action !== "READ" || id !== invite.appointment_id) ? "INVITE_SCOPE" : decide(actor.user, action, row);
    if (!refusal && row && invite) {
      const current = await invitesRepository.findById(this.db, invite.invite_id);
      refusal = decideLiveInvite(actor.user, row, current, this.now(), this.inviteGraceMinutes);
    }
    await this.audit(this.db, actor, action, id, refusal);
    if (refusal === "NOT_FOUND" || refusal === "OTHER_CLINIC") throw new AppointmentNotFound();
    if (refusal === "INVITE_REVOKED" || refusal === "INVITE_EXPIRED") throw new InviteNoLongerValid(refusal);
    if (refusal || !row) throw new NotYourAppointment();
    return row;
  }

  /**
   * An invite link opened (resolved): on record with the invite's patient as the actor (the
   * holder of the link) and, when it no longer works, why. Unknown tokens name no clinic and
   * are not recorded (they are counted by the per-address limit instead).
   */
  recordResolve(invite: InviteRow, requestId: string, refusal: InviteGoneCode | null): Promise<void> {
    return appendAudit(this.db, {
      actor_id: invite.patient_id,
      actor_role: "INVITE",
      clinic_id: invite.clinic_id,
      action: "RESOLVE_INVITE",
      outcome: refusal ? "DENIED" : "ALLOWED",
      reason: refusal,
      appointment_id: invite.appointment_id,
      request_id: requestId,
    });
  }

  /**
   * Who a booking is for, as the clinic's directory knows them (names included: the body's
   * names are ignored); a refused booking is audited here. An allowed one is audited by
   * `recordBooking`, in the transaction that creates the appointment, so its row names an
   * appointment that exists. A directory that cannot answer decides nothing: 503, no row.
   */
  async bookingPeople(
    actor: Actor,
    input: BookAppointmentRequest,
    directory: Directory,
  ): Promise<{ doctor: DirectoryPerson; patient: DirectoryPerson }> {
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
    if (user.role === "ADMIN" && !input.doctor_id) {
      throw new InvalidAppointmentRequest("DOCTOR_REQUIRED", "An admin booking must name doctor_id");
    }
    const doctorId = user.role === "ADMIN" ? (input.doctor_id as string) : user.id;
    const caller = { user, ...(actor.bearerToken ? { bearerToken: actor.bearerToken } : {}) };
    const [patient, doctor] = await Promise.all([
      directory.find(input.patient_id, caller),
      directory.find(doctorId, caller),
    ]);
    const personRefusal = decideBookingPeople(user, patient, doctor);
    if (personRefusal) {
      await this.audit(this.db, actor, "BOOK", null, personRefusal);
      throw new BookingPersonRefused(personRefusal);
    }
    return { doctor: doctor as DirectoryPerson, patient: patient as DirectoryPerson };
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

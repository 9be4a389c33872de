import { AppError } from "@clinic/platform";

/** Every refusal this service gives, with its status and code, in one place. */
export class AppointmentNotFound extends AppError {
  constructor() {
    super(404, "APPOINTMENT_NOT_FOUND", "Appointment not found");
  }
}

export class NotYourAppointment extends AppError {
  constructor() {
    super(403, "FORBIDDEN", "You are not authorized to access this appointment");
  }
}

export class BookingNotAllowed extends AppError {
  constructor(reason: string) {
    super(403, "FORBIDDEN", reason);
  }
}

export class AppointmentNotScheduled extends AppError {
  constructor(status: string) {
    super(409, "APPOINTMENT_NOT_SCHEDULED", `Only a SCHEDULED appointment can change; this one is ${status}`, {
      appointment_status: status,
    });
  }
}

export class DoctorUnavailable extends AppError {
  constructor(conflictingId: string) {
    super(409, "DOCTOR_UNAVAILABLE", "The doctor already has an appointment at that time", {
      conflicting_appointment_id: conflictingId,
    });
  }
}

export class InvalidAppointmentRequest extends AppError {
  constructor(code: "INVALID_TIME_RANGE" | "START_TIME_IN_PAST" | "DOCTOR_REQUIRED", message: string) {
    super(400, code, message);
  }
}

const bookingPersonMessages = {
  UNKNOWN_PATIENT: "No patient with this id in your clinic",
  PATIENT_INACTIVE: "This patient's account is deactivated; an administrator can reactivate it",
  UNKNOWN_DOCTOR: "No doctor with this id in your clinic",
  DOCTOR_INACTIVE: "This doctor's account is deactivated; an administrator can reactivate it",
} as const;

/** A booking's patient or doctor, as the clinic's directory (the auth service) knows them, does not fit. */
export class BookingPersonRefused extends AppError {
  constructor(code: "UNKNOWN_PATIENT" | "PATIENT_INACTIVE" | "UNKNOWN_DOCTOR" | "DOCTOR_INACTIVE") {
    super(400, code, bookingPersonMessages[code]);
  }
}

export class DirectoryUnavailable extends AppError {
  constructor() {
    super(503, "DIRECTORY_UNAVAILABLE", "The clinic's directory (auth service) is not answering; try again shortly");
  }
}

/** Invites only for a video appointment still to happen or under way, whose join window is open. */
export class AppointmentNotInvitable extends AppError {
  constructor(reason: string, status: string) {
    super(409, "APPOINTMENT_NOT_INVITABLE", reason, { appointment_status: status });
  }
}

export class InviteNotFound extends AppError {
  constructor() {
    super(404, "INVITE_NOT_FOUND", "This invite link is not valid; check that it was copied completely");
  }
}

/** Why a real invite no longer opens anything: plain sentences, shown to the patient as they are. */
const inviteGoneMessages = {
  INVITE_REVOKED: "This invite link has been withdrawn by the clinic",
  INVITE_EXPIRED: "This invite link has expired",
  CONSULTATION_ENDED: "This consultation has ended",
  APPOINTMENT_CANCELLED: "This appointment has been cancelled",
} as const;
export type InviteGoneCode = keyof typeof inviteGoneMessages;

/** 410 from the resolve endpoint: the invite existed and is over, for good. */
export class InviteGone extends AppError {
  constructor(code: InviteGoneCode) {
    super(410, code, inviteGoneMessages[code]);
  }
}

/** 403 for an invite-scoped token whose invite was revoked or expired since it was exchanged. */
export class InviteNoLongerValid extends AppError {
  constructor(code: "INVITE_REVOKED" | "INVITE_EXPIRED") {
    super(403, code, inviteGoneMessages[code]);
  }
}

export class TooManyInviteLookups extends AppError {
  constructor(readonly retryAfter: number) {
    super(429, "RATE_LIMITED", `Too many invite links tried; try again in ${retryAfter} seconds`, {
      retry_after: retryAfter,
    });
  }
}

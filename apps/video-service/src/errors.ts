import type { SessionStatus } from "@clinic/contracts";
import { AppError } from "@clinic/platform";

/**
 * Every refusal the video service gives, with its status and code, in one place
 * (README "Errors" mirrors this list). Domain code throws these; the platform handler
 * renders `{error, status, code, ...extra}`.
 */
export class SessionNotFound extends AppError {
  constructor() {
    super(404, "SESSION_NOT_FOUND", "Session not found");
  }
}

export class AppointmentNotFound extends AppError {
  constructor() {
    super(404, "APPOINTMENT_NOT_FOUND", "Appointment not found");
  }
}

export class NotYourSession extends AppError {
  constructor(message = "You are not authorized to access this appointment") {
    super(403, "FORBIDDEN", message);
  }
}

export class SessionAlreadyStarted extends AppError {
  constructor(sessionId: string) {
    super(409, "SESSION_ALREADY_STARTED", "Session already started for this appointment", { session_id: sessionId });
  }
}

/** Another start of the same session is still waiting on the media provider (after our wait). */
export class SessionStarting extends AppError {
  constructor(sessionId: string) {
    super(409, "SESSION_STARTING", "The session is being started by another request; try again in a moment", {
      session_id: sessionId,
      retryable: true,
    });
  }
}

export class InvalidSessionTransition extends AppError {
  constructor(code: string, message: string, sessionId: string | null, status: SessionStatus) {
    super(409, code, message, { ...(sessionId ? { session_id: sessionId } : {}), session_status: status });
  }
}

export class AppointmentNotStartable extends AppError {
  constructor(appointmentStatus: string) {
    super(
      409,
      appointmentStatus === "CANCELLED" ? "APPOINTMENT_CANCELLED" : "APPOINTMENT_COMPLETED",
      `The appointment is ${appointmentStatus.toLowerCase()}; a video session cannot be started`,
      { appointment_status: appointmentStatus },
    );
  }
}

export class OutsideJoinWindow extends AppError {
  constructor(window: { opens_at: string; closes_at: string }) {
    super(409, "OUTSIDE_JOIN_WINDOW", "The appointment can only be started inside its join window", { window });
  }
}

export class FreeTierExceeded extends AppError {
  constructor(used: number, limit: number) {
    super(429, "FREE_TIER_EXCEEDED", "Free tier limit exceeded. Video consultations are disabled this month.", {
      total_attendee_minutes: used,
      free_tier_limit: limit,
    });
  }
}

export class AppointmentsUnavailable extends AppError {
  constructor(message = "The appointments service is not answering; try again shortly") {
    super(503, "APPOINTMENTS_UNAVAILABLE", message);
  }
}

export class AppointmentsBadResponse extends AppError {
  constructor() {
    super(502, "APPOINTMENTS_BAD_RESPONSE", "The appointments service gave an unexpected answer");
  }
}

export class NotVideoAppointment extends AppError {
  constructor() {
    super(409, "VIDEO_NOT_ENABLED", "This appointment is not a video consultation");
  }
}

/** A consent answer to a text the patient was not shown: the clinic's text has changed since. */
export class ConsentTextOutdated extends AppError {
  constructor(currentVersion: number) {
    super(409, "CONSENT_TEXT_OUTDATED", "The clinic's consent text has changed; show the current text and ask again", {
      current_version: currentVersion,
    });
  }
}

/** The notes export of a completed session that has no notes. */
export class SessionNotesNotFound extends AppError {
  constructor() {
    super(404, "NOTES_NOT_FOUND", "This session has no notes");
  }
}

/** A patient's join before any consent answer (TELEHEALTH_CONSENT=required). */
export class ConsentRequired extends AppError {
  constructor(sessionId: string) {
    super(409, "CONSENT_REQUIRED", "Telehealth consent is needed before joining the video consultation", {
      session_id: sessionId,
    });
  }
}

/** A patient's join after declining (the latest answer counts; answering GIVEN later allows it). */
export class ConsentDeclined extends AppError {
  constructor(sessionId: string) {
    super(409, "CONSENT_DECLINED", "Telehealth consent was declined for this consultation", { session_id: sessionId });
  }
}

/** An unknown webhook endpoint, or another clinic's (which does not exist for this caller). */
export class WebhookNotFound extends AppError {
  constructor() {
    super(404, "WEBHOOK_NOT_FOUND", "Webhook endpoint not found");
  }
}

/**
 * A webhook URL refused at registration (README "Webhooks", URL rules). `code` says which
 * rule: WEBHOOK_URL_INVALID, WEBHOOK_URL_NOT_HTTPS, WEBHOOK_URL_CREDENTIALS,
 * WEBHOOK_URL_UNRESOLVABLE, WEBHOOK_URL_PRIVATE (with the refused `range`, never the address).
 */
export class WebhookUrlRefused extends AppError {
  constructor(code: string, message: string, extra?: Record<string, unknown>) {
    super(400, code, message, extra);
  }
}

/** Participant control: no attendee by that id in this session. */
export class AttendeeNotFound extends AppError {
  constructor() {
    super(404, "ATTENDEE_NOT_FOUND", "No such participant in this session");
  }
}

/** Participant control aimed at the doctor's own attendee (their own buttons do that). */
export class CannotControlSelf extends AppError {
  constructor(action: "mute" | "remove") {
    super(
      409,
      action === "remove" ? "CANNOT_REMOVE_SELF" : "CANNOT_MUTE_SELF",
      action === "remove"
        ? "You cannot remove yourself; end the consultation instead"
        : "Use your own microphone button to mute yourself",
    );
  }
}

/** A mute request for a participant who is not in the call right now. */
export class AttendeeNotInCall extends AppError {
  constructor() {
    super(409, "ATTENDEE_NOT_IN_CALL", "This participant is not in the call right now");
  }
}

/** A join by a person the doctor removed from this consultation, without an invite issued since. */
export class ParticipantRemoved extends AppError {
  constructor() {
    super(
      403,
      "PARTICIPANT_REMOVED",
      "The doctor removed you from this consultation. To join again, ask the clinic for a new invite link.",
    );
  }
}

/** Waiting room: admitting an attendee who is no longer the person's live entry, or the doctor (always in). */
export class CannotAdmit extends AppError {
  constructor(reason: "replaced" | "doctor") {
    super(
      409,
      reason === "replaced" ? "ATTENDEE_REPLACED" : "DOCTOR_ALWAYS_ADMITTED",
      reason === "replaced"
        ? "This participant has rejoined since; admit their current entry"
        : "The doctor is always in the call",
    );
  }
}

/**
 * Chime media credentials asked for by a patient still in the waiting room: the Chime JoinToken
 * would let them into the meeting's media before the doctor admits them.
 */
export class NotAdmitted extends AppError {
  constructor() {
    super(403, "NOT_ADMITTED", "The doctor has not let you into the call yet; wait for the doctor to admit you");
  }
}

/** Media credentials of an attendee a newer join of the same person replaced. */
export class AttendeeReplaced extends AppError {
  constructor() {
    super(409, "ATTENDEE_REPLACED", "This entry was replaced by a newer join; use the credentials of the newer one");
  }
}

/** Media credentials asked for in a session whose media is not Chime's (the join answer holds all an embedded call needs). */
export class NotChimeSession extends AppError {
  constructor() {
    super(409, "NOT_CHIME_SESSION", "This session's media is not served by Amazon Chime; it has no Chime credentials");
  }
}

/** A quality summary whose parts do not add up (checked beyond the schema's per-field bounds). */
export class InvalidQualityReport extends AppError {
  constructor(message: string) {
    super(400, "INVALID_QUALITY_REPORT", message);
  }
}

/** GET /connectivity over its per-user limit: each answer mints a TURN credential. */
export class TooManyConnectivityChecks extends AppError {
  constructor(retryAfter: number) {
    super(429, "TOO_MANY_CONNECTIVITY_CHECKS", `Too many connection tests; try again in ${retryAfter} seconds`, {
      retry_after: retryAfter,
    });
  }
}

/** The cluster's counters (Redis) cannot be reached: refused, as a signalling connect would be. */
export class CountersUnavailable extends AppError {
  constructor() {
    super(503, "SIGNALLING_UNAVAILABLE", "The video service cannot count requests right now; try again shortly", {
      retryable: true,
    });
  }
}

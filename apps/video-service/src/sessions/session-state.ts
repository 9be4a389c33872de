import type { SessionStatus } from "@clinic/contracts";
import { InvalidSessionTransition, SessionAlreadyStarted } from "../errors.ts";

/**
 * The session lifecycle as a pure function:
 *
 *   CREATED ──start──▶ IN_PROGRESS ──end──▶ COMPLETED
 *      └──cancel──▶ CANCELLED
 *
 * `join`, `updateNotes` and `saveNotesDraft` do not move the state but are only legal in some states.
 * Anything else is refused with a 409 and a code saying why.
 */
export type SessionAction =
  | "start"
  | "join"
  | "end"
  | "cancel"
  | "updateNotes"
  | "saveNotesDraft"
  | "recordConsent"
  | "exportEncounter"
  | "exportNotes"
  | "admit"
  | "updateWaitingRoom"
  | "controlAttendee";

export type Transition = { ok: true; to: SessionStatus } | { ok: false; code: string; message: string };

const refusals: Record<SessionStatus, { code: string; message: string }> = {
  CREATED: { code: "SESSION_NOT_STARTED", message: "The session has not been started yet" },
  IN_PROGRESS: { code: "SESSION_IN_PROGRESS", message: "The session is still in progress" },
  COMPLETED: { code: "SESSION_ALREADY_ENDED", message: "The session has already ended" },
  CANCELLED: { code: "SESSION_CANCELLED", message: "The session was cancelled" },
};

const allowed: Record<SessionAction, Partial<Record<SessionStatus, SessionStatus>>> = {
  start: { CREATED: "IN_PROGRESS" },
  join: { IN_PROGRESS: "IN_PROGRESS" },
  end: { IN_PROGRESS: "COMPLETED" },
  cancel: { CREATED: "CANCELLED" },
  updateNotes: { COMPLETED: "COMPLETED" },
  // Consent is asked before the patient's media starts: while waiting for the doctor, or joining late.
  recordConsent: { CREATED: "CREATED", IN_PROGRESS: "IN_PROGRESS" },
  // The FHIR Encounter describes a finished consultation only.
  exportEncounter: { COMPLETED: "COMPLETED" },
  exportNotes: { COMPLETED: "COMPLETED" },
  // Participant control (issue 12): muting or removing someone happens during the call only.
  controlAttendee: { IN_PROGRESS: "IN_PROGRESS" },
  // The doctor writes the draft during the call and goes on after it (issue 16).
  saveNotesDraft: { IN_PROGRESS: "IN_PROGRESS", COMPLETED: "COMPLETED" },
  // The waiting room (issue 12): admit while the call runs; auto-admit may be set before it starts.
  admit: { IN_PROGRESS: "IN_PROGRESS" },
  updateWaitingRoom: { CREATED: "CREATED", IN_PROGRESS: "IN_PROGRESS" },
};

export function transition(from: SessionStatus, action: SessionAction): Transition {
  const to = allowed[action][from];
  if (to) return { ok: true, to };
  if (action === "start" && from === "IN_PROGRESS") {
    return { ok: false, code: "SESSION_ALREADY_STARTED", message: "Session already started for this appointment" };
  }
  return { ok: false, ...refusals[from] };
}

/** `transition`, throwing the 409 the API answers when the move is illegal. */
/** The states `action` may be taken from. */
export function transitionsFrom(action: SessionAction): SessionStatus[] {
  return Object.keys(allowed[action]) as SessionStatus[];
}

export function requireTransition(sessionId: string, from: SessionStatus, action: SessionAction): SessionStatus {
  const result = transition(from, action);
  if (result.ok) return result.to;
  if (result.code === "SESSION_ALREADY_STARTED") throw new SessionAlreadyStarted(sessionId);
  throw new InvalidSessionTransition(result.code, result.message, sessionId, from);
}

export interface JoinWindow {
  opens_at: Date;
  closes_at: Date;
}

/** From `beforeMin` before the scheduled start until the scheduled end plus `afterMin`. */
export function joinWindow(
  scheduledStart: Date,
  durationMinutes: number,
  beforeMin: number,
  afterMin: number,
): JoinWindow {
  const start = scheduledStart.getTime();
  return {
    opens_at: new Date(start - beforeMin * 60_000),
    closes_at: new Date(start + (durationMinutes + afterMin) * 60_000),
  };
}

export function isInsideWindow(now: Date, window: JoinWindow): boolean {
  return now.getTime() >= window.opens_at.getTime() && now.getTime() <= window.closes_at.getTime();
}

import type { MediaCredentialsResponse } from "@clinic/contracts";
import {
  AttendeeNotFound,
  AttendeeReplaced,
  NotAdmitted,
  NotChimeSession,
  ParticipantRemoved,
  SessionNotFound,
} from "../errors.ts";
import { type Executor, json } from "../tables.ts";
import { wasAttendeeRemoved } from "./attendee-removals.repository.ts";
import { findAttendee } from "./attendees.repository.ts";
import type { Actor } from "./session-access.ts";
import { requireTransition } from "./session-state.ts";
import { meetingOf } from "./session-views.ts";
import { findSession } from "./sessions.repository.ts";
import { factsOf } from "./sessions.service.ts";
import type { SessionsContext } from "./sessions-context.ts";
import { findAdmission } from "./waiting-room.repository.ts";

/**
 * The waiting room under Chime, enforced by the server (issue 12). Chime's attendee JoinToken
 * opens the Chime meeting's media by itself: whoever holds it is in the call, whatever our
 * signalling socket says. So the join answer carries it only for someone let in — the doctor,
 * an admitted patient, or any patient while auto-admit is on (the connect records that
 * admission) — and a patient who waits gets `chime.Attendee: null` and fetches it here once
 * admitted.
 */
export async function admittedForMedia(
  db: Executor,
  session: { session_id: string; doctor_id: string; auto_admit: boolean },
  userId: string,
): Promise<boolean> {
  if (admittedBy(session, userId, false)) return true;
  return (await findAdmission(db, session.session_id, userId)) !== undefined;
}

/**
 * Who may have media in a session (past the waiting room): its doctor, anyone while auto-admit is
 * on, or a person whose admission is on record (`admissionOnRecord`, read by the caller).
 */
export function admittedBy(
  session: { doctor_id: string; auto_admit: boolean },
  userId: string,
  admissionOnRecord: boolean,
): boolean {
  return userId === session.doctor_id || session.auto_admit || admissionOnRecord;
}

/**
 * GET /sessions/{session_id}/attendees/{attendee_id}/media-credentials: the caller's own Chime
 * attendee, as stored at join (attendees.provider_data). Only their own attendee (another
 * person's, like another clinic's session, is 403 on the audit record), only while the session
 * is in progress (409), only once admitted (403 NOT_ADMITTED), never after the doctor removed
 * them (403 PARTICIPANT_REMOVED) nor for an entry a newer join replaced (409 ATTENDEE_REPLACED).
 */
export async function getMediaCredentials(
  ctx: SessionsContext,
  actor: Actor,
  sessionId: string,
  attendeeId: string,
): Promise<MediaCredentialsResponse> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  const found = await findAttendee(ctx.db, attendeeId);
  const attendee = found?.session_id === sessionId ? found : undefined;
  await ctx.access.check(actor, "readMediaCredentials", {
    ...factsOf(session),
    attendee_user_id: attendee?.user_id,
  });
  if (!attendee) throw new AttendeeNotFound();
  requireTransition(sessionId, session.status, "join");
  if (session.media_provider !== "chime") throw new NotChimeSession();
  if (await wasAttendeeRemoved(ctx.db, attendee.attendee_id)) throw new ParticipantRemoved();
  if (attendee.status === "REPLACED") throw new AttendeeReplaced();
  if (!(await admittedForMedia(ctx.db, session, attendee.user_id))) throw new NotAdmitted();
  const stored = json<unknown>(attendee.provider_data);
  if (!isChimeAttendee(stored)) throw new Error(`attendee ${attendee.attendee_id} has no stored Chime attendee`);
  return {
    session_id: sessionId,
    attendee_id: attendee.attendee_id,
    chime: { Meeting: meetingOf(session).provider_data, Attendee: stored },
  };
}

function isChimeAttendee(value: unknown): value is MediaCredentialsResponse["chime"]["Attendee"] {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.AttendeeId === "string" && typeof v.ExternalUserId === "string" && typeof v.JoinToken === "string";
}

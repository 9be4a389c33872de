import type { DocumentReference, Encounter } from "@medplum/fhirtypes";
import { findLatestConsentAnswer } from "../consent/consent.repository.ts";
import { SessionNotesNotFound, SessionNotFound } from "../errors.ts";
import { listAttendees } from "../sessions/attendees.repository.ts";
import type { Actor } from "../sessions/session-access.ts";
import { requireTransition } from "../sessions/session-state.ts";
import { findSession } from "../sessions/sessions.repository.ts";
import { factsOf } from "../sessions/sessions.service.ts";
import type { SessionsContext } from "../sessions/sessions-context.ts";
import { buildEncounter } from "./encounter.ts";
import { buildNotesDocument } from "./notes-document.ts";

/**
 * GET /sessions/{id}/fhir/Encounter: the session's doctor or an admin of its clinic, once the
 * session is COMPLETED (before: 409 with the state machine's code).
 */
export async function exportEncounter(ctx: SessionsContext, actor: Actor, sessionId: string): Promise<Encounter> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  await ctx.access.check(actor, "exportEncounter", factsOf(session));
  requireTransition(sessionId, session.status, "exportEncounter");
  const { start_time: start, end_time: end } = session;
  // COMPLETED guarantees both (a CHECK constraint); this only narrows the types.
  if (!start || !end) throw new Error(`completed session ${sessionId} without start or end`);

  const [attendees, consent] = await Promise.all([
    listAttendees(ctx.db, sessionId),
    findLatestConsentAnswer(ctx.db, sessionId),
  ]);
  // The doctor's first connect to last leave over all their attendees (each rejoin is one).
  const doctor = attendees.filter((a) => a.user_type === "DOCTOR" && a.user_id === session.doctor_id);
  const joins = doctor.flatMap((a) => (a.join_time ? [new Date(a.join_time).getTime()] : []));
  const leaves = doctor.flatMap((a) => (a.leave_time ? [new Date(a.leave_time).getTime()] : []));
  const doctorAttendance =
    joins.length > 0
      ? { from: new Date(Math.min(...joins)), to: new Date(leaves.length > 0 ? Math.max(...leaves) : end.getTime()) }
      : null;

  return buildEncounter({
    session_id: session.session_id,
    appointment_id: session.appointment_id,
    clinic_id: session.clinic_id,
    doctor_id: session.doctor_id,
    patient_id: session.patient_id,
    start_time: start,
    end_time: end,
    doctor_attendance: doctorAttendance,
    consent: consent
      ? { decision: consent.decision, text_version: consent.text_version, decided_at: consent.decided_at }
      : null,
  });
}

/**
 * GET /sessions/{id}/fhir/DocumentReference: the doctor's notes, to the session's doctor only,
 * once COMPLETED; 404 NOTES_NOT_FOUND when there are none.
 */
export async function exportNotesDocument(
  ctx: SessionsContext,
  actor: Actor,
  sessionId: string,
): Promise<DocumentReference> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  await ctx.access.check(actor, "exportNotes", factsOf(session));
  requireTransition(sessionId, session.status, "exportNotes");
  const { start_time: start, end_time: end, notes } = session;
  if (!start || !end) throw new Error(`completed session ${sessionId} without start or end`);
  if (!notes) throw new SessionNotesNotFound();
  return buildNotesDocument({
    session_id: session.session_id,
    clinic_id: session.clinic_id,
    doctor_id: session.doctor_id,
    patient_id: session.patient_id,
    start_time: start,
    end_time: end,
    notes,
    updated_at: session.updated_at,
  });
}

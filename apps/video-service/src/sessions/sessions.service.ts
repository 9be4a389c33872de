import type {
  ListSessionsQuery,
  ListSessionsResponse,
  SessionDetails,
  SessionDetailsRedacted,
  UpdateNotesBody,
  UpdateNotesResponse,
} from "@clinic/contracts";
import { withTransaction } from "@clinic/platform";
import { findLatestConsentAnswer } from "../consent/consent.repository.ts";
import { toSessionConsent } from "../consent/consent-views.ts";
import { SessionNotFound } from "../errors.ts";
import { listAttendees } from "./attendees.repository.ts";
import { listCallQuality } from "./call-quality.repository.ts";
import { deleteNotesDraft } from "./notes-draft.repository.ts";
import type { Actor, SessionFacts, SessionView } from "./session-access.ts";
import { requireTransition } from "./session-state.ts";
import { toCallQualityReport, toDetails, toSummary } from "./session-views.ts";
import { findSession, listSessions, lockSession, type SessionRow, updateSession } from "./sessions.repository.ts";
import type { SessionsContext } from "./sessions-context.ts";

export function factsOf(row: SessionRow): SessionFacts {
  return {
    session_id: row.session_id,
    appointment_id: row.appointment_id,
    doctor_id: row.doctor_id,
    patient_id: row.patient_id,
    clinic_id: row.clinic_id,
  };
}

/** GET /sessions: a doctor's own sessions; an admin's clinic, read-only; patients are refused. */
export async function listSessionsFor(
  ctx: SessionsContext,
  actor: Actor,
  query: ListSessionsQuery,
): Promise<ListSessionsResponse> {
  await ctx.access.check(actor, "list");
  // User ids are unique within a clinic only (session-access.ts): a doctor's list is scoped
  // to their clinic too, or a same-id doctor of another clinic would see these patients.
  const scope =
    actor.user.role === "DOCTOR"
      ? { doctor_id: actor.user.id, clinic_id: actor.user.clinic_id }
      : { clinic_id: actor.user.clinic_id };
  const { rows, total } = await listSessions(
    ctx.db,
    { ...scope, ...(query.status ? { status: query.status } : {}) },
    { limit: query.limit, offset: query.offset, sort: query.sort },
  );
  return { total, limit: query.limit, offset: query.offset, sessions: rows.map(toSummary) };
}

/** GET /sessions/{id}: the view (with or without notes) is decided by the access check. */
export async function getSession(
  ctx: SessionsContext,
  actor: Actor,
  sessionId: string,
): Promise<{ view: SessionView; details: SessionDetails | SessionDetailsRedacted }> {
  const row = await findSession(ctx.db, sessionId);
  if (!row) throw new SessionNotFound();
  const view = await ctx.access.check(actor, "read", factsOf(row));
  const [attendees, consent, quality] = await Promise.all([
    listAttendees(ctx.db, sessionId),
    findLatestConsentAnswer(ctx.db, sessionId),
    listCallQuality(ctx.db, sessionId),
  ]);
  const reports = quality.map(toCallQualityReport);
  return { view, details: toDetails(row, attendees, ctx.now(), view, toSessionConsent(consent), reports) };
}

/** PUT /sessions/{id}/notes: the doctor, after the session ended. */
export async function updateNotes(
  ctx: SessionsContext,
  actor: Actor,
  sessionId: string,
  body: UpdateNotesBody,
): Promise<UpdateNotesResponse> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  await ctx.access.check(actor, "updateNotes", factsOf(session));
  const row = await withTransaction(ctx.db, async (trx) => {
    const locked = await lockSession(trx, sessionId);
    if (!locked) throw new SessionNotFound();
    requireTransition(sessionId, locked.status, "updateNotes");
    // The saved notes replace the doctor's draft (notes-draft.service.ts).
    await deleteNotesDraft(trx, sessionId);
    const updated = await updateSession(trx, sessionId, {
      ...(body.notes !== undefined ? { notes: body.notes } : {}),
      ...(body.quality_rating !== undefined ? { quality_rating: body.quality_rating } : {}),
      updated_at: ctx.now(),
    });
    const fields = (["notes", "quality_rating"] as const).filter((f) => body[f] !== undefined);
    await ctx.webhooks.notesUpdated(trx, updated, fields, updated.updated_at);
    return updated;
  });
  return {
    session_id: row.session_id,
    notes: row.notes,
    quality_rating: row.quality_rating,
    updated_at: row.updated_at.toISOString(),
  };
}

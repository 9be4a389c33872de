import type { NotesDraftBody, NotesDraftResponse } from "@clinic/contracts";
import { withTransaction } from "@clinic/platform";
import { SessionNotFound } from "../errors.ts";
import { iso } from "../tables.ts";
import { findNotesDraft, upsertNotesDraft } from "./notes-draft.repository.ts";
import type { Actor } from "./session-access.ts";
import { requireTransition } from "./session-state.ts";
import { findSession, lockSession } from "./sessions.repository.ts";
import { factsOf } from "./sessions.service.ts";
import type { SessionsContext } from "./sessions-context.ts";

/**
 * The doctor's notes draft (issue 16): written as they type during the call and after it, so
 * nothing clinical waits in the browser. The session's notes stay the saved ones until
 * PUT /notes, which replaces the draft (sessions.service.ts `updateNotes`).
 */

/** GET /sessions/{id}/notes/draft: the draft, else the saved notes, else empty. */
export async function getNotesDraft(
  ctx: SessionsContext,
  actor: Actor,
  sessionId: string,
): Promise<NotesDraftResponse> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  await ctx.access.check(actor, "readNotesDraft", factsOf(session));
  const draft = await findNotesDraft(ctx.db, sessionId);
  if (draft) {
    return {
      session_id: sessionId,
      notes: draft.notes,
      quality_rating: draft.quality_rating,
      updated_at: iso(draft.updated_at),
      source: "draft",
    };
  }
  const saved = session.notes !== null || session.quality_rating !== null;
  return {
    session_id: sessionId,
    notes: session.notes ?? "",
    quality_rating: session.quality_rating,
    updated_at: saved ? iso(session.updated_at) : null,
    source: saved ? "saved" : "empty",
  };
}

/** PUT /sessions/{id}/notes/draft: while the session is in progress or after it ended. */
export async function saveNotesDraft(
  ctx: SessionsContext,
  actor: Actor,
  sessionId: string,
  body: NotesDraftBody,
): Promise<NotesDraftResponse> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  await ctx.access.check(actor, "saveNotesDraft", factsOf(session));
  // Under the session's row lock, like PUT /notes: a draft save and the final save of the
  // same session are applied one after the other, never interleaved.
  const draft = await withTransaction(ctx.db, async (trx) => {
    const locked = await lockSession(trx, sessionId);
    if (!locked) throw new SessionNotFound();
    requireTransition(sessionId, locked.status, "saveNotesDraft");
    return upsertNotesDraft(trx, {
      session_id: sessionId,
      notes: body.notes,
      quality_rating: body.quality_rating ?? null,
      updated_by: actor.user.id,
      updated_at: ctx.now(),
    });
  });
  return {
    session_id: sessionId,
    notes: draft.notes,
    quality_rating: draft.quality_rating,
    updated_at: iso(draft.updated_at),
    source: "draft",
  };
}

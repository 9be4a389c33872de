import type { Executor, NotesDraftsTable } from "../tables.ts";

export type NotesDraftRow = NotesDraftsTable;

export async function findNotesDraft(db: Executor, sessionId: string): Promise<NotesDraftRow | undefined> {
  return db.selectFrom("notes_drafts").selectAll().where("session_id", "=", sessionId).executeTakeFirst();
}

/** One draft per session: a save replaces it whole. */
export async function upsertNotesDraft(db: Executor, draft: NotesDraftRow): Promise<NotesDraftRow> {
  return db
    .insertInto("notes_drafts")
    .values(draft)
    .onConflict((oc) =>
      oc.column("session_id").doUpdateSet({
        notes: draft.notes,
        quality_rating: draft.quality_rating,
        updated_by: draft.updated_by,
        updated_at: draft.updated_at,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteNotesDraft(db: Executor, sessionId: string): Promise<void> {
  await db.deleteFrom("notes_drafts").where("session_id", "=", sessionId).execute();
}

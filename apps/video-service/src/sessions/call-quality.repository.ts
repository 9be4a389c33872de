import type { CallQualityReportsTable, Executor } from "../tables.ts";

export type CallQualityRow = CallQualityReportsTable;

/** One report per session and side: a later send of the same side replaces it whole. */
export async function upsertCallQuality(db: Executor, row: CallQualityRow): Promise<CallQualityRow> {
  const { session_id: _s, side: _side, ...rest } = row;
  return db
    .insertInto("call_quality_reports")
    .values(row)
    .onConflict((oc) => oc.columns(["session_id", "side"]).doUpdateSet(rest))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The session's reports, the doctor's first. */
export async function listCallQuality(db: Executor, sessionId: string): Promise<CallQualityRow[]> {
  return db
    .selectFrom("call_quality_reports")
    .selectAll()
    .where("session_id", "=", sessionId)
    .orderBy("side")
    .execute();
}

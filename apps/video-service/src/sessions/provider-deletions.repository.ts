import type { Executor, VideoDb, VideoTrx } from "../tables.ts";

/** A removed attendee still to be deleted at the media provider (provider-cleanup.ts). */
export interface PendingDeletion {
  attendee_id: string;
  session_id: string;
  attempts: number;
  /** When the removal recorded it. */
  created_at: Date;
}

/**
 * Records the pending deletions in the removal's own transaction. `leaseUntil`: the attempt
 * made right after the commit holds the row until then, so a pass does not run it twice. An
 * attendee already pending (removed again) keeps its row.
 */
export async function recordPendingDeletions(
  trx: VideoTrx,
  sessionId: string,
  attendeeIds: string[],
  at: Date,
  leaseUntil: Date,
): Promise<void> {
  if (attendeeIds.length === 0) return;
  await trx
    .insertInto("provider_attendee_deletions")
    .values(
      attendeeIds.map((attendee_id) => ({
        attendee_id,
        session_id: sessionId,
        next_attempt_at: leaseUntil,
        created_at: at,
      })),
    )
    .onConflict((oc) => oc.column("attendee_id").doNothing())
    .execute();
}

/**
 * Drops the rows of sessions no longer in progress: ending the meeting (DeleteMeeting) deletes
 * every attendee at the provider, so there is nothing left to delete. Returns how many.
 */
export async function dropEndedSessions(db: VideoDb): Promise<number> {
  const result = await db
    .deleteFrom("provider_attendee_deletions")
    .where("session_id", "in", (eb) =>
      eb
        .selectFrom("provider_attendee_deletions as d")
        .innerJoin("sessions as s", "s.session_id", "d.session_id")
        .select("d.session_id")
        .where("s.status", "<>", "IN_PROGRESS"),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Claims up to `limit` due rows for one pass by moving their `next_attempt_at` to `leaseUntil`,
 * in one statement over rows locked with SKIP LOCKED: replicas never claim the same row, and
 * the provider is called outside any transaction. A lease that runs out (its process died
 * mid-attempt) makes the row due again.
 */
export async function claimDueDeletions(
  db: VideoDb,
  at: Date,
  leaseUntil: Date,
  limit: number,
): Promise<PendingDeletion[]> {
  const rows = await db
    .updateTable("provider_attendee_deletions")
    .set({ next_attempt_at: leaseUntil })
    .where("attendee_id", "in", (eb) =>
      eb
        .selectFrom("provider_attendee_deletions")
        .select("attendee_id")
        .where("next_attempt_at", "<=", at)
        .orderBy("next_attempt_at")
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(["attendee_id", "session_id", "attempts", "created_at"])
    .execute();
  return rows.map((r) => ({ ...r, attempts: Number(r.attempts) }));
}

/** The provider confirmed (or the attendee was already gone): nothing left to do. */
export async function deletePendingDeletion(db: Executor, attendeeId: string): Promise<void> {
  await db.deleteFrom("provider_attendee_deletions").where("attendee_id", "=", attendeeId).execute();
}

/** An attempt failed: one more attempt counted, the next one due at `nextAttemptAt`. */
export async function deferPendingDeletion(
  db: Executor,
  attendeeId: string,
  change: { attempts: number; nextAttemptAt: Date; errorCode: string },
): Promise<void> {
  await db
    .updateTable("provider_attendee_deletions")
    .set({ attempts: change.attempts, next_attempt_at: change.nextAttemptAt, last_error_code: change.errorCode })
    .where("attendee_id", "=", attendeeId)
    .execute();
}

/** Pending deletions, all instances (the metrics gauge). */
export async function countPendingDeletions(db: VideoDb): Promise<number> {
  const row = await db
    .selectFrom("provider_attendee_deletions")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

import type { Executor } from "../tables.ts";

/** Records (or moves forward) the removal of `user_id` from the session. */
export async function recordRemoval(
  db: Executor,
  row: { session_id: string; user_id: string; removed_at: Date; removed_by: string },
): Promise<void> {
  await db
    .insertInto("attendee_removals")
    .values(row)
    .onConflict((oc) =>
      oc.columns(["session_id", "user_id"]).doUpdateSet({ removed_at: row.removed_at, removed_by: row.removed_by }),
    )
    .execute();
}

/** When the person was last removed from the session, if ever. */
export async function findRemoval(db: Executor, sessionId: string, userId: string): Promise<Date | undefined> {
  const row = await db
    .selectFrom("attendee_removals")
    .select("removed_at")
    .where("session_id", "=", sessionId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row ? new Date(row.removed_at) : undefined;
}

/**
 * Whether the attendee was issued before its person's removal from its session: its join token
 * then no longer connects (an attendee of a later join, with a new invite, does).
 */
export async function wasAttendeeRemoved(db: Executor, attendeeId: string): Promise<boolean> {
  const row = await db
    .selectFrom("attendees as a")
    .innerJoin("attendee_removals as r", (join) =>
      join.onRef("r.session_id", "=", "a.session_id").onRef("r.user_id", "=", "a.user_id"),
    )
    .select("a.attendee_id")
    .where("a.attendee_id", "=", attendeeId)
    .whereRef("a.created_at", "<=", "r.removed_at")
    .executeTakeFirst();
  return row !== undefined;
}

/** Every attendee the person had in the session (a rejoin leaves the earlier ones REPLACED). */
export async function attendeesOfPerson(db: Executor, sessionId: string, userId: string) {
  return db
    .selectFrom("attendees")
    .select(["attendee_id", "status"])
    .where("session_id", "=", sessionId)
    .where("user_id", "=", userId)
    .execute();
}

import { compiledOnce, type Param, prepared, preparedStatement } from "@clinic/platform";
import { CompiledQuery, type Selectable, sql } from "kysely";
import type { AttendanceIntervalsTable, AttendeesTable, Executor, VideoTrx } from "../tables.ts";
import { splitByUtcDay, withinOneUtcDay } from "../usage/usage-calculator.ts";
import { addClosedToRollups, type ClosedPiece } from "../usage/usage-rollups.repository.ts";

export type AttendeeRow = AttendeesTable;

export async function insertAttendee(db: Executor, row: AttendeeRow): Promise<void> {
  // The columns of a whole row: one text, a prepared statement on PostgreSQL.
  await db.executeQuery(prepared(db.insertInto("attendees").values(row).compile()));
}

export async function findAttendee(db: Executor, attendeeId: string): Promise<AttendeeRow | undefined> {
  return db.selectFrom("attendees").selectAll().where("attendee_id", "=", attendeeId).executeTakeFirst();
}

/**
 * For a join, in one read: the attendee the provider just handed out, when it is recorded
 * already (Chime hands a person back their attendee), the person's attendees the join
 * replaces: the live one (JOINING/CONNECTED, at most one by the unique index) and any LEFT one
 * whose join token could otherwise reconnect, and when the person was last removed from the
 * session (`removedAt`, if ever). Run under the session's row lock, its one snapshot is taken
 * after the lock was granted: it sees a removal or an attendee committed while the join waited.
 */
export async function attendeesForJoin(
  db: Executor,
  sessionId: string,
  userId: string,
  attendeeId: string,
): Promise<{ existing: AttendeeRow | undefined; replaceable: AttendeeRow[]; removedAt: Date | undefined }> {
  const replaceableStatuses: AttendeeRow["status"][] = ["JOINING", "CONNECTED", "LEFT"];
  // One row at least (the removal), with the attendees' columns null when none matches.
  const statement = sql<AttendeeRow & { removal_at: Date | null }>`
    SELECT (SELECT r.removed_at FROM attendee_removals r
            WHERE r.session_id = ${sessionId} AND r.user_id = ${userId}) AS removal_at, a.*
    FROM (SELECT 1) AS one
    LEFT JOIN attendees a
      ON a.attendee_id = ${attendeeId}
      OR (a.session_id = ${sessionId} AND a.user_id = ${userId} AND a.status = ANY(${replaceableStatuses}::text[]))
    ORDER BY a.attendee_id`.compile(db);
  const { rows } = await db.executeQuery(prepared(statement));
  const removal = rows[0]?.removal_at;
  const found = rows.filter((r) => r.attendee_id !== null).map(({ removal_at: _, ...a }) => a as AttendeeRow);
  return {
    existing: found.find((a) => a.attendee_id === attendeeId),
    replaceable: found.filter(
      (a) => a.session_id === sessionId && a.user_id === userId && replaceableStatuses.includes(a.status),
    ),
    removedAt: removal ? new Date(removal) : undefined,
  };
}

export interface AttendeeWithTimes extends AttendeeRow {
  join_time: Date | null;
  leave_time: Date | null;
}

/** Attendees of a session with their first join and last leave, oldest first. */
export async function listAttendees(db: Executor, sessionId: string): Promise<AttendeeWithTimes[]> {
  return (await db.executeQuery(listAttendeesStatement(db, { sessionId }))).rows;
}

const listAttendeesStatement = compiledOnce((db: Executor, p: Param<{ sessionId: string }>) =>
  db
    .selectFrom("attendees as a")
    .leftJoin("attendance_intervals as i", "i.attendee_id", "a.attendee_id")
    .selectAll("a")
    .select([sql<Date | null>`min(i.joined_at)`.as("join_time"), sql<Date | null>`max(i.left_at)`.as("leave_time")])
    .where("a.session_id", "=", p("sessionId"))
    .groupBy("a.attendee_id")
    .orderBy("a.created_at")
    .orderBy("a.attendee_id"),
);

export async function setAttendeeStatus(
  db: Executor,
  attendeeIds: string[],
  status: AttendeeRow["status"],
  at: Date,
  onlyFrom?: AttendeeRow["status"][],
): Promise<number> {
  if (attendeeIds.length === 0) return 0;
  let query = db.updateTable("attendees").set({ status, updated_at: at }).where("attendee_id", "in", attendeeIds);
  if (onlyFrom) query = query.where("status", "in", onlyFrom);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * The person's attendee handed back by the provider after a removal (Chime keeps it when its
 * DeleteAttendee failed) is issued again: JOINING, and `created_at` now, since a removal revokes
 * the attendees issued before it (attendee-removals.repository.ts `wasAttendeeRemoved`).
 */
export async function reissueAttendee(db: Executor, attendeeId: string, at: Date): Promise<void> {
  await db
    .updateTable("attendees")
    .set({ status: "JOINING", created_at: at, updated_at: at })
    .where("attendee_id", "=", attendeeId)
    .execute();
}

/** The attendee's and its session's current state, for a connection just registered. */
export async function findConnectionState(db: Executor, attendeeId: string, sessionId: string) {
  return db
    .selectFrom("attendees as a")
    .innerJoin("sessions as s", "s.session_id", "a.session_id")
    .select(["a.status as attendee_status", "s.status as session_status", "s.end_reason"])
    .where("a.attendee_id", "=", attendeeId)
    .where("a.session_id", "=", sessionId)
    .executeTakeFirst();
}

export async function hasOpenInterval(db: Executor, sessionId: string): Promise<boolean> {
  const open = await db
    .selectFrom("attendance_intervals")
    .select("id")
    .where("session_id", "=", sessionId)
    .where("left_at", "is", null)
    .executeTakeFirst();
  return open !== undefined;
}

/** Returns the new interval's id. */
export async function openInterval(
  db: Executor,
  row: { attendee_id: string; session_id: string; clinic_id: string; user_id: string; joined_at: Date },
): Promise<number> {
  const { id } = await db
    .insertInto("attendance_intervals")
    .values({ ...row, left_at: null, last_seen_at: row.joined_at })
    .returning("id")
    .executeTakeFirstOrThrow();
  return Number(id);
}

/** Whether the interval is still open (not closed by a newer connection, an end or the sweeper). */
export async function isIntervalOpen(db: Executor, intervalId: number): Promise<boolean> {
  const row = await db
    .selectFrom("attendance_intervals")
    .select("id")
    .where("id", "=", intervalId)
    .where("left_at", "is", null)
    .executeTakeFirst();
  return row !== undefined;
}

/** The connection is alive at `at` (called on its messages, throttled). */
export async function touchOpenInterval(db: Executor, attendeeId: string, at: Date): Promise<void> {
  await db
    .updateTable("attendance_intervals")
    .set({ last_seen_at: at })
    .where("attendee_id", "=", attendeeId)
    .where("left_at", "is", null)
    .execute();
}

/** Open intervals not heard from since `cutoff`: their connection may have died with its process. */
export async function findStaleOpenIntervals(db: Executor, cutoff: Date, limit: number) {
  return db
    .selectFrom("attendance_intervals")
    .select(["attendee_id", "session_id", "last_seen_at"])
    .where("left_at", "is", null)
    .where("last_seen_at", "<", cutoff)
    .orderBy("last_seen_at")
    .limit(limit)
    .execute();
}

/**
 * Closes the attendee's open interval at `at` (idempotent). An interval that crossed a UTC
 * midnight is split there, so every stored interval lies inside one UTC day whatever
 * CLINIC_TIME_ZONE is (the usage query then finds a month's intervals from one day before
 * its start: usage.repository.ts). The usage rollups get the closed time in the same
 * transaction (usage-rollups.repository.ts): every path that closes an interval — leave,
 * replace, end, idle sweep, removal — comes through here, so none can miss them.
 */
export async function closeOpenIntervals(
  trx: VideoTrx,
  where: { attendee_id?: string; session_id?: string; id?: number },
  at: Date,
) {
  let query = trx.selectFrom("attendance_intervals").selectAll().where("left_at", "is", null);
  if (where.id !== undefined) query = query.where("id", "=", where.id);
  if (where.attendee_id) query = query.where("attendee_id", "=", where.attendee_id);
  if (where.session_id) query = query.where("session_id", "=", where.session_id);
  return closeIntervals(trx, await query.forUpdate().execute(), at);
}

type OpenInterval = Selectable<AttendanceIntervalsTable>;

const leaveSessionText = preparedStatement(
  "WITH left_attendees AS (UPDATE attendees SET status = 'LEFT', updated_at = $2 " +
    "WHERE session_id = $1 AND status IN ('JOINING', 'CONNECTED')), " +
    "dropped_draft AS (DELETE FROM notes_drafts WHERE session_id = $1 AND $3::boolean) " +
    "SELECT * FROM attendance_intervals WHERE session_id = $1 AND left_at IS NULL FOR UPDATE",
);

/**
 * A session's end, once it holds the session's row lock, in one statement: the session's live
 * attendees LEFT, its notes draft deleted when `dropDraft`, and its open attendance intervals
 * read and locked for `closeIntervals`. Run after the lock, its snapshot sees whatever committed
 * before the lock was granted (a join's attendee, a connect's interval).
 */
export async function leaveSessionAndLockOpenIntervals(
  trx: VideoTrx,
  sessionId: string,
  at: Date,
  dropDraft: boolean,
): Promise<OpenInterval[]> {
  const { rows } = await trx.executeQuery<OpenInterval>(
    CompiledQuery.raw(leaveSessionText, [sessionId, at, dropDraft]),
  );
  return rows;
}

/** Closes `open` (read FOR UPDATE in this transaction) at `at`, splitting at UTC midnights; adds them to the rollups. */
export async function closeIntervals(trx: VideoTrx, open: OpenInterval[], at: Date): Promise<number> {
  const closed: ClosedPiece[] = [];
  for (const interval of open) {
    const leftAt = at < interval.joined_at ? interval.joined_at : at;
    const [first, ...rest] = withinOneUtcDay(interval.joined_at, leftAt)
      ? [{ joined_at: interval.joined_at, left_at: leftAt }]
      : splitByUtcDay(interval.joined_at, leftAt);
    await trx
      .updateTable("attendance_intervals")
      .set({ left_at: first!.left_at })
      .where("id", "=", interval.id)
      .execute();
    for (const piece of [first!, ...rest]) closed.push({ ...piece, ...pick(interval) });
    for (const piece of rest) {
      await trx
        .insertInto("attendance_intervals")
        .values({
          attendee_id: interval.attendee_id,
          session_id: interval.session_id,
          clinic_id: interval.clinic_id,
          user_id: interval.user_id,
          last_seen_at: piece.left_at,
          ...piece,
        })
        .execute();
    }
  }
  await addClosedToRollups(trx, closed);
  return open.length;
}

const pick = (i: { session_id: string; clinic_id: string; user_id: string }) => ({
  session_id: i.session_id,
  clinic_id: i.clinic_id,
  user_id: i.user_id,
});

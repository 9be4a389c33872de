import { compiledOnce, type Param, prepared, preparedStatement } from "@clinic/platform";
import { CompiledQuery, type Selectable, sql } from "kysely";
import type { AuditEntry } from "../audit/audit.repository.ts";
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
 * A join's read and its attendee's insert in one statement ($1–$10), run under the session's row
 * lock (its snapshot is taken after the lock was granted: a removal, admission or attendee that
 * committed while the join waited holds). It reads when the person was last removed from the
 * session, whether their admission is on record, and the attendees in the join's way: the one
 * the provider just handed out ($3), when it is recorded already (Chime hands a person back
 * their attendee), and the person's attendees the join replaces — the live one (JOINING or
 * CONNECTED, at most one by `attendees_one_live_per_user`) and any LEFT one whose join token
 * could otherwise reconnect. Only when none is in the way and the person may join (never
 * removed, or invited since: $10 after `removed_at`, as `refuseIfRemoved`) it inserts the new
 * attendee, JOINING, and answers the session's attendees with it, as `listAttendees` reads them
 * (the statement's snapshot does not see its own insert: the row comes from RETURNING, with no
 * interval yet). Data-modifying CTEs share the statement's snapshot, so the insert is guarded by
 * the reads alone; the caller checks the answer by the same rules (its transaction rolls back
 * what a refusal would undo).
 */
const joinText = preparedStatement(
  "WITH removal AS MATERIALIZED (SELECT r.removed_at FROM attendee_removals r " +
    "WHERE r.session_id = $1::text AND r.user_id = $2::text), " +
    "found AS MATERIALIZED (SELECT a.* FROM attendees a WHERE a.attendee_id = $3::text " +
    "OR (a.session_id = $1::text AND a.user_id = $2::text AND a.status IN ('JOINING', 'CONNECTED', 'LEFT'))), " +
    "inserted AS (INSERT INTO attendees (attendee_id, session_id, user_id, user_type, name, status, device_info, " +
    "browser_info, provider_data, created_at, updated_at) SELECT $3::text, $1::text, $2::text, $4::text, $5::text, " +
    "'JOINING', $6::text, $7::text, $8::jsonb, $9::timestamptz, $9::timestamptz " +
    "WHERE NOT EXISTS (SELECT 1 FROM found) " +
    "AND NOT EXISTS (SELECT 1 FROM removal r WHERE NOT coalesce($10::timestamptz > r.removed_at, false)) RETURNING *), " +
    "listed AS (SELECT a.*, min(i.joined_at) AS join_time, max(i.left_at) AS leave_time FROM attendees a " +
    "LEFT JOIN attendance_intervals i ON i.attendee_id = a.attendee_id " +
    "WHERE a.session_id = $1::text AND EXISTS (SELECT 1 FROM inserted) GROUP BY a.attendee_id " +
    "UNION ALL SELECT n.*, NULL::timestamptz, NULL::timestamptz FROM inserted n) " +
    "SELECT h.removal_at, h.admission, x.* FROM (SELECT (SELECT removed_at FROM removal) AS removal_at, " +
    "EXISTS (SELECT 1 FROM session_admissions s WHERE s.session_id = $1::text AND s.user_id = $2::text) AS admission) h " +
    "LEFT JOIN (SELECT 1 AS part, f.*, NULL::timestamptz AS join_time, NULL::timestamptz AS leave_time FROM found f " +
    "UNION ALL SELECT 2, l.* FROM listed l) x ON true ORDER BY x.part, x.created_at, x.attendee_id",
);

/** The attendee a join records: the columns the caller decides (the rest: JOINING, now). */
export type JoiningAttendee = Pick<
  AttendeeRow,
  "attendee_id" | "session_id" | "user_id" | "user_type" | "name" | "device_info" | "browser_info"
> & { provider_data: string };

export interface JoinStep {
  /** When the person was last removed from the session, if ever. */
  removedAt: Date | undefined;
  /** Whether the person's admission is on record (`session_admissions`). */
  admissionOnRecord: boolean;
  /** The attendee the provider handed out, when recorded already (then nothing was inserted). */
  existing: AttendeeRow | undefined;
  /** The person's attendees the join replaces (then nothing was inserted). */
  replaceable: AttendeeRow[];
  /** Inserted: the session's attendees with the new one, oldest first. Undefined when nothing was written. */
  attendees: AttendeeWithTimes[] | undefined;
}

/** `joinText`: the attendee inserted when nothing is in its way and `invitedAt` outdates any removal. */
export async function joinAttendee(
  trx: VideoTrx,
  attendee: JoiningAttendee,
  at: Date,
  invitedAt: Date | null,
): Promise<JoinStep> {
  const { rows } = await trx.executeQuery<
    AttendeeWithTimes & { removal_at: Date | string | null; admission: boolean; part: number | null }
  >(
    CompiledQuery.raw(joinText, [
      attendee.session_id,
      attendee.user_id,
      attendee.attendee_id,
      attendee.user_type,
      attendee.name,
      attendee.device_info,
      attendee.browser_info,
      attendee.provider_data,
      at,
      invitedAt,
    ]),
  );
  const head = rows[0];
  const found: AttendeeRow[] = [];
  const listed: AttendeeWithTimes[] = [];
  for (const { removal_at: _, admission: __, part, ...row } of rows) {
    if (part === 1) {
      const { join_time: ___, leave_time: ____, ...a } = row;
      found.push(a);
    } else if (part === 2) listed.push(row);
  }
  const { session_id: sessionId, user_id: userId, attendee_id: attendeeId } = attendee;
  return {
    removedAt: head?.removal_at ? new Date(head.removal_at) : undefined,
    admissionOnRecord: head?.admission === true,
    existing: found.find((a) => a.attendee_id === attendeeId),
    replaceable: found.filter((a) => a.session_id === sessionId && a.user_id === userId && a.status !== "REPLACED"),
    attendees: listed.length > 0 ? listed : undefined,
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

/**
 * A signalling connect's read and writes in one statement ($1–$15), run under the session's row
 * lock (its snapshot is taken after the lock was granted: a removal, join or admission that
 * committed while the connect waited holds). It reads the attendee and whether its person was
 * removed since it was issued (`removed_before`, as `wasAttendeeRemoved`); when the attendee may
 * connect — of the session ($2) and person ($3), not REPLACED, not removed — and has no open
 * interval, it writes what the connect's separate statements wrote: the attendee CONNECTED, a
 * new open interval, the session's activity, the patient's admission when auto-admit is on
 * ($6) and none is on record, and the allowed connect's audit row when `$15` (its actor's role
 * the attendee's `user_type`). An attendee that may connect but holds an open interval (a
 * second connection with the same token) gets nothing written and `had_open` true: that
 * interval is locked (FOR UPDATE; one at most, by `attendance_one_open_per_attendee`) for the
 * caller to close through `closeOpenIntervals` (midnight splits, usage rollups), then to run
 * this statement again. Data-modifying CTEs share the statement's snapshot, so each write is
 * guarded by `connected` (the read) alone, never by another write.
 */
const connectText = preparedStatement(
  "WITH found AS MATERIALIZED (" +
    "SELECT a.*, coalesce(a.created_at <= r.removed_at, false) AS removed_before FROM attendees a " +
    "LEFT JOIN attendee_removals r ON r.session_id = a.session_id AND r.user_id = a.user_id " +
    "WHERE a.attendee_id = $1::text), " +
    "allowed AS MATERIALIZED (SELECT f.* FROM found f WHERE f.session_id = $2::text AND f.user_id = $3::text " +
    "AND f.status <> 'REPLACED' AND NOT f.removed_before), " +
    "open_intervals AS MATERIALIZED (SELECT i.id FROM attendance_intervals i " +
    "WHERE i.attendee_id = $1::text AND i.left_at IS NULL AND EXISTS (SELECT 1 FROM allowed) FOR UPDATE OF i), " +
    "connected AS MATERIALIZED (SELECT * FROM allowed WHERE NOT EXISTS (SELECT 1 FROM open_intervals)), " +
    "status_set AS (UPDATE attendees SET status = 'CONNECTED', updated_at = $5::timestamptz " +
    "WHERE attendee_id = (SELECT attendee_id FROM connected)), " +
    "opened AS (INSERT INTO attendance_intervals (attendee_id, session_id, clinic_id, user_id, joined_at, left_at, last_seen_at) " +
    "SELECT c.attendee_id, $2::text, $4::text, c.user_id, $5::timestamptz, NULL, $5::timestamptz FROM connected c RETURNING id), " +
    "touched AS (UPDATE sessions SET last_activity_at = $5::timestamptz " +
    "WHERE session_id = $2::text AND status = 'IN_PROGRESS' AND EXISTS (SELECT 1 FROM connected)), " +
    "admission AS MATERIALIZED (SELECT 1 FROM session_admissions WHERE session_id = $2::text AND user_id = $3::text), " +
    "auto_admitted AS (INSERT INTO session_admissions (session_id, user_id, admitted_at, admitted_by) " +
    "SELECT $2::text, $3::text, $5::timestamptz, 'auto' FROM connected c " +
    "WHERE c.user_type <> 'DOCTOR' AND $6::boolean AND NOT EXISTS (SELECT 1 FROM admission) " +
    "ON CONFLICT (session_id, user_id) DO NOTHING), " +
    "audit_row AS (INSERT INTO audit_log (actor_id, actor_role, clinic_id, action, outcome, session_id, appointment_id, " +
    "request_id, client_address) SELECT $7::text, c.user_type, $8::text, $9::text, $10::text, $11::text, $12::text, " +
    "$13::text, $14::text FROM connected c WHERE $15::boolean) " +
    "SELECT f.*, EXISTS (SELECT 1 FROM open_intervals) AS had_open, (SELECT id FROM opened) AS interval_id, " +
    "(f.user_type = 'DOCTOR' OR $6::boolean OR EXISTS (SELECT 1 FROM admission)) AS admitted FROM found f",
);

/** The allowed connect's audit row, but for its actor's role: the attendee's `user_type`. */
export type ConnectAuditRow = Omit<AuditEntry, "actor_role">;

export interface ConnectStep {
  /** As read before this statement's writes (its status the previous one). */
  attendee: AttendeeRow;
  /** Issued before its person's removal from the session: its join token no longer connects. */
  removed: boolean;
  /** Allowed, but an open interval is in the way: nothing written (see `connectText`). */
  hadOpen: boolean;
  /** The interval opened: the connect's rows are written. Null when nothing was written. */
  intervalId: number | null;
  /** Whether the person is admitted (meaningful when written): the doctor, auto-admit, or on record. */
  admitted: boolean;
}

/** `connectText`: undefined when the attendee does not exist (nothing written). */
export async function connectAttendee(
  trx: VideoTrx,
  p: {
    attendeeId: string;
    sessionId: string;
    userId: string;
    clinicId: string;
    at: Date;
    autoAdmit: boolean;
    audit: ConnectAuditRow | undefined;
  },
): Promise<ConnectStep | undefined> {
  const a = p.audit;
  const { rows } = await trx.executeQuery<
    AttendeeRow & { removed_before: boolean; had_open: boolean; interval_id: string | number | null; admitted: boolean }
  >(
    CompiledQuery.raw(connectText, [
      p.attendeeId,
      p.sessionId,
      p.userId,
      p.clinicId,
      p.at,
      p.autoAdmit,
      a?.actor_id ?? null,
      a?.clinic_id ?? null,
      a?.action ?? null,
      a?.outcome ?? null,
      a?.session_id ?? null,
      a?.appointment_id ?? null,
      a?.request_id ?? null,
      a?.client_address ?? null,
      a !== undefined,
    ]),
  );
  const row = rows[0];
  if (!row) return undefined;
  const { removed_before, had_open, interval_id, admitted, ...attendee } = row;
  return {
    attendee,
    removed: removed_before === true,
    hadOpen: had_open === true,
    intervalId: interval_id === null ? null : Number(interval_id),
    admitted: admitted === true,
  };
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

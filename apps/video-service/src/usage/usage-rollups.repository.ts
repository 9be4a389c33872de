import { withTransaction } from "@clinic/platform";
import { type RawBuilder, sql } from "kysely";
import type { Executor, VideoDb, VideoTrx } from "../tables.ts";
import { type MonthBounds as Bounds, monthBounds, monthOf } from "./usage-calculator.ts";
import { liveUsage, splitByLocalDay } from "./usage-rollups.ts";

/**
 * Usage rollups (migration 2026-12-04-050): attendee-milliseconds of closed attendance
 * intervals per clinic, doctor and local day, per clinic, doctor and month (with the count of
 * sessions), and per session and month (with the count of distinct people), so a month's
 * figures read a few rows instead of every interval. They are added to in the transaction
 * that closes an interval (`closeIntervals`, the one place intervals close), so they are
 * never ahead of or behind the intervals; still-open intervals are added live at read time.
 *
 * Days and months are those of a time zone. Rollups are kept for every zone in
 * `usage_rollup_zones`: the zone an instance runs with (CLINIC_TIME_ZONE) is registered and
 * back-filled from the intervals at start-up (`ensureRollupZone`), so a deployment that
 * changes its zone — even while old and new instances run side by side — reads exact figures
 * in either. Exact: whole milliseconds in bigint columns.
 */

export interface ClosedPiece {
  session_id: string;
  clinic_id: string;
  user_id: string;
  joined_at: Date;
  left_at: Date;
}

/** Rows per write statement: 8 parameters a row stays under PostgreSQL's 65,535. */
const writeBatch = 2000;

const key = (...parts: string[]) => parts.join("\u0000");

/**
 * Adds closed intervals to the rollups of every registered zone (or of `onlyZones`: the
 * back-fill of a zone just registered). Runs in the caller's transaction, after the
 * intervals' `left_at` is written. Reading `usage_rollup_zones` holds its ACCESS SHARE lock to
 * the end of the transaction, so a zone being registered (ACCESS EXCLUSIVE) waits for this
 * close and every later close sees the new zone: no close is missed by a back-fill.
 */
export async function addClosedToRollups(trx: VideoTrx, pieces: ClosedPiece[], onlyZones?: string[]): Promise<void> {
  const counted = pieces.filter((p) => p.left_at > p.joined_at);
  if (counted.length === 0) return;
  const zones =
    onlyZones ??
    (await trx.selectFrom("usage_rollup_zones").select("zone").orderBy("zone").execute()).map((z) => z.zone);
  if (zones.length === 0) return;
  const sessionIds = [...new Set(counted.map((p) => p.session_id))];
  const sessions = new Map(
    (
      await trx
        .selectFrom("sessions")
        .select(["session_id", "doctor_id", "start_time"])
        .where("session_id", "in", sessionIds)
        .execute()
    ).map((s) => [s.session_id, s]),
  );

  const people = new Map<string, [string, string, string, string]>();
  const bySession = new Map<
    string,
    {
      zone: string;
      month: string;
      session_id: string;
      clinic_id: string;
      doctor_id: string;
      start_time: Date | null;
      ms: number;
    }
  >();
  const byMonth = new Map<string, { zone: string; clinic_id: string; month: string; doctor_id: string; ms: number }>();
  const byDay = new Map<string, { zone: string; clinic_id: string; day: string; doctor_id: string; ms: number }>();
  for (const zone of zones) {
    for (const piece of counted) {
      const session = sessions.get(piece.session_id);
      const doctorId = session?.doctor_id ?? "";
      for (const part of splitByLocalDay(piece.joined_at.getTime(), piece.left_at.getTime(), zone)) {
        people.set(key(zone, part.month, piece.session_id, piece.user_id), [
          zone,
          part.month,
          piece.session_id,
          piece.user_id,
        ]);
        const s = key(zone, part.month, piece.session_id);
        const sessionEntry = bySession.get(s) ?? {
          zone,
          month: part.month,
          session_id: piece.session_id,
          clinic_id: piece.clinic_id,
          doctor_id: doctorId,
          start_time: session?.start_time ?? null,
          ms: 0,
        };
        sessionEntry.ms += part.ms;
        bySession.set(s, sessionEntry);
        const m = key(zone, piece.clinic_id, part.month, doctorId);
        const monthEntry = byMonth.get(m) ?? {
          zone,
          clinic_id: piece.clinic_id,
          month: part.month,
          doctor_id: doctorId,
          ms: 0,
        };
        monthEntry.ms += part.ms;
        byMonth.set(m, monthEntry);
        const d = key(zone, piece.clinic_id, part.day, doctorId);
        const dayEntry = byDay.get(d) ?? {
          zone,
          clinic_id: piece.clinic_id,
          day: part.day,
          doctor_id: doctorId,
          ms: 0,
        };
        dayEntry.ms += part.ms;
        byDay.set(d, dayEntry);
      }
    }
  }
  // Big back-fills are written in batches; a batch never splits one session-month, so
  // "created" rows and new people are counted where their session's row is written.
  const sessionRows = [...bySession.values()];
  for (let i = 0; i < sessionRows.length; i += writeBatch) {
    const batch = sessionRows.slice(i, i + writeBatch);
    const inBatch = new Set(batch.map((s) => key(s.zone, s.month, s.session_id)));
    const batchPeople = [...people.values()].filter(([zone, month, sessionId]) =>
      inBatch.has(key(zone, month, sessionId)),
    );
    await writeSessions(trx, batch, batchPeople);
  }
  const monthRows = [...byMonth.values()];
  // Session counts come from the session rows written above (usage_session_rollups.counted).
  for (let i = 0; i < monthRows.length; i += writeBatch) await writeMonths(trx, monthRows.slice(i, i + writeBatch));
  const dayRows = [...byDay.values()].sort((a, b) =>
    key(a.zone, a.clinic_id, a.day, a.doctor_id) < key(b.zone, b.clinic_id, b.day, b.doctor_id) ? -1 : 1,
  );
  for (let i = 0; i < dayRows.length; i += writeBatch) await writeDays(trx, dayRows.slice(i, i + writeBatch));
}

const list = (rows: RawBuilder<unknown>[]) => sql.join(rows);

/**
 * One statement: new people of each session-month (their count goes to `attendees`), then
 * the session-months; a session-month row just created is marked `counted = false` until the
 * month row has counted it (`writeMonths`), in the same transaction.
 */
async function writeSessions(
  trx: VideoTrx,
  rows: {
    zone: string;
    month: string;
    session_id: string;
    clinic_id: string;
    doctor_id: string;
    start_time: Date | null;
    ms: number;
  }[],
  people: [string, string, string, string][],
) {
  rows.sort((a, b) => (key(a.zone, a.month, a.session_id) < key(b.zone, b.month, b.session_id) ? -1 : 1));
  people.sort((a, b) => (key(...a) < key(...b) ? -1 : 1));
  await sql`
    WITH new_people AS (
      INSERT INTO usage_session_people (zone, month, session_id, user_id)
      VALUES ${list(people.map(([zone, month, sessionId, userId]) => sql`(${zone}::text, ${month}::text, ${sessionId}::text, ${userId}::text)`))}
      ON CONFLICT DO NOTHING
      RETURNING zone, month, session_id
    ), added (zone, month, session_id, clinic_id, doctor_id, start_time, attendee_ms) AS (
      VALUES ${list(rows.map((r) => sql`(${r.zone}::text, ${r.month}::text, ${r.session_id}::text, ${r.clinic_id}::text, ${r.doctor_id}::text, ${r.start_time}::timestamptz, ${r.ms}::bigint)`))}
    )
    INSERT INTO usage_session_rollups
      (zone, month, session_id, clinic_id, doctor_id, start_time, attendee_ms, attendees, counted)
    SELECT a.zone, a.month, a.session_id, a.clinic_id, a.doctor_id, a.start_time, a.attendee_ms,
      (SELECT count(*) FROM new_people p WHERE p.zone = a.zone AND p.month = a.month AND p.session_id = a.session_id),
      false
    FROM added a
    ORDER BY a.zone, a.month, a.session_id
    ON CONFLICT (zone, month, session_id) DO UPDATE SET
      attendee_ms = usage_session_rollups.attendee_ms + excluded.attendee_ms,
      attendees = usage_session_rollups.attendees + excluded.attendees
  `.execute(trx);
}

/** Adds milliseconds to the month rows and counts the session-months not yet counted (then marks them). */
async function writeMonths(
  trx: VideoTrx,
  rows: { zone: string; clinic_id: string; month: string; doctor_id: string; ms: number }[],
) {
  rows.sort((a, b) =>
    key(a.zone, a.clinic_id, a.month, a.doctor_id) < key(b.zone, b.clinic_id, b.month, b.doctor_id) ? -1 : 1,
  );
  await sql`
    WITH added (zone, clinic_id, month, doctor_id, attendee_ms) AS (
      VALUES ${list(rows.map((r) => sql`(${r.zone}::text, ${r.clinic_id}::text, ${r.month}::text, ${r.doctor_id}::text, ${r.ms}::bigint)`))}
    ), newly AS (
      UPDATE usage_session_rollups s SET counted = true
      FROM added a
      WHERE NOT s.counted AND s.zone = a.zone AND s.clinic_id = a.clinic_id AND s.month = a.month AND s.doctor_id = a.doctor_id
      RETURNING s.zone, s.clinic_id, s.month, s.doctor_id
    )
    INSERT INTO usage_month_rollups (zone, clinic_id, month, doctor_id, attendee_ms, sessions)
    SELECT a.zone, a.clinic_id, a.month, a.doctor_id, a.attendee_ms,
      (SELECT count(*) FROM newly n WHERE n.zone = a.zone AND n.clinic_id = a.clinic_id AND n.month = a.month AND n.doctor_id = a.doctor_id)
    FROM added a
    ORDER BY a.zone, a.clinic_id, a.month, a.doctor_id
    ON CONFLICT (zone, clinic_id, month, doctor_id) DO UPDATE SET
      attendee_ms = usage_month_rollups.attendee_ms + excluded.attendee_ms,
      sessions = usage_month_rollups.sessions + excluded.sessions
  `.execute(trx);
}

async function writeDays(
  trx: VideoTrx,
  rows: { zone: string; clinic_id: string; day: string; doctor_id: string; ms: number }[],
) {
  // One statement: the per-doctor rows and the clinic's (all doctors) rows of the same days, so
  // usage_clinic_daily_rollups always equals the sum of usage_daily_rollups (migration 2026-12-05-010).
  await sql`
    WITH added (zone, clinic_id, day, doctor_id, attendee_ms) AS (
      VALUES ${list(rows.map((r) => sql`(${r.zone}::text, ${r.clinic_id}::text, ${r.day}::date, ${r.doctor_id}::text, ${r.ms}::bigint)`))}
    ), per_doctor AS (
      INSERT INTO usage_daily_rollups (zone, clinic_id, day, doctor_id, attendee_ms)
      SELECT zone, clinic_id, day, doctor_id, attendee_ms FROM added
      ORDER BY zone, clinic_id, day, doctor_id
      ON CONFLICT (zone, clinic_id, day, doctor_id) DO UPDATE SET
        attendee_ms = usage_daily_rollups.attendee_ms + excluded.attendee_ms
    )
    INSERT INTO usage_clinic_daily_rollups (zone, clinic_id, day, attendee_ms)
    SELECT zone, clinic_id, day, sum(attendee_ms) FROM added
    GROUP BY zone, clinic_id, day
    ORDER BY zone, clinic_id, day
    ON CONFLICT (zone, clinic_id, day) DO UPDATE SET
      attendee_ms = usage_clinic_daily_rollups.attendee_ms + excluded.attendee_ms
  `.execute(trx);
}

/** Zones whose rollups are known to exist, per database handle (registration is permanent). */
const registered = new WeakMap<object, Set<string>>();

/**
 * Registers `zone` and back-fills its rollups from every closed interval, once per database
 * (idempotent; the migration registered UTC). Under an ACCESS EXCLUSIVE lock of
 * `usage_rollup_zones`: closes in flight finish first and later ones wait, then add to the
 * new zone too (`addClosedToRollups`), so the back-fill and the live updates neither miss
 * nor double-count an interval. Called at start-up, before the service answers.
 */
export async function ensureRollupZone(db: VideoDb, zone: string): Promise<void> {
  const known = registered.get(db) ?? new Set<string>();
  registered.set(db, known);
  if (known.has(zone)) return;
  const exists = async (ex: Executor) =>
    (await ex.selectFrom("usage_rollup_zones").select("zone").where("zone", "=", zone).executeTakeFirst()) !==
    undefined;
  if (!(await exists(db))) {
    await withTransaction(db, async (trx) => {
      await sql`LOCK TABLE usage_rollup_zones IN ACCESS EXCLUSIVE MODE`.execute(trx);
      if (await exists(trx)) return;
      await trx.insertInto("usage_rollup_zones").values({ zone, added_at: new Date() }).execute();
      let after = 0;
      // Keyset batches by id: bounded memory whatever the table holds.
      for (let guard = 0; guard < 1_000_000; guard++) {
        const rows = await trx
          .selectFrom("attendance_intervals")
          .select(["id", "session_id", "clinic_id", "user_id", "joined_at", "left_at"])
          .where("left_at", "is not", null)
          .where("id", ">", after)
          .orderBy("id")
          .limit(5000)
          .execute();
        if (rows.length === 0) break;
        after = Number(rows[rows.length - 1]?.id);
        await addClosedToRollups(
          trx,
          rows.map((r) => ({ ...r, joined_at: new Date(r.joined_at), left_at: new Date(r.left_at as Date) })),
          [zone],
        );
      }
    });
  }
  known.add(zone);
}

/** The rows a usage figure is read for: a clinic, or one doctor's sessions in it. */
export interface RollupScope {
  zone: string;
  clinicId: string;
  doctorId?: string | undefined;
}

/** Closed attendee-milliseconds and sessions of the month (one row per doctor). */
export async function monthRollup(
  db: Executor,
  scope: RollupScope,
  month: string,
): Promise<{ ms: number; sessions: number }> {
  let query = db
    .selectFrom("usage_month_rollups")
    .select([sql<string | null>`sum(attendee_ms)`.as("ms"), sql<string | null>`sum(sessions)`.as("sessions")])
    .where("zone", "=", scope.zone)
    .where("clinic_id", "=", scope.clinicId)
    .where("month", "=", month);
  if (scope.doctorId !== undefined) query = query.where("doctor_id", "=", scope.doctorId);
  const row = await query.executeTakeFirst();
  return { ms: Number(row?.ms ?? 0), sessions: Number(row?.sessions ?? 0) };
}

/**
 * Attendee-seconds of the month holding `now` per clinic (metrics): the month rollup rows
 * (index on zone and month) plus every clinic's open intervals up to `now`, for at most
 * `limit` clinics, most used first.
 */
export async function usedSecondsByClinic(
  db: Executor,
  zone: string,
  now: Date,
  limit: number,
): Promise<{ clinic_id: string; seconds: number }[]> {
  const month = monthOf(now, zone);
  const bounds = monthBounds(month, zone);
  const rows = await db
    .selectFrom("usage_month_rollups")
    .select(["clinic_id", sql<string>`sum(attendee_ms)`.as("ms")])
    .where("zone", "=", zone)
    .where("month", "=", month)
    .groupBy("clinic_id")
    .execute();
  const ms = new Map(rows.map((r) => [r.clinic_id, Number(r.ms)]));
  const open = await openIntervals(db, undefined, bounds.end);
  for (const clinicId of new Set(open.map((o) => o.clinic_id))) {
    const live = liveUsage(
      open.filter((o) => o.clinic_id === clinicId),
      bounds,
      now,
    ).ms;
    ms.set(clinicId, (ms.get(clinicId) ?? 0) + live);
  }
  return [...ms]
    .map(([clinic_id, total]) => ({ clinic_id, seconds: total / 1000 }))
    .filter((r) => r.seconds > 0)
    .sort((a, b) => b.seconds - a.seconds || (a.clinic_id < b.clinic_id ? -1 : 1))
    .slice(0, limit);
}

export interface SessionRollup {
  session_id: string;
  start_time: Date | null;
  ms: number;
  attendees: number;
}

const toSessionRollup = (r: {
  session_id: string;
  start_time: Date | null;
  attendee_ms: string | number;
  attendees: number;
}) => ({
  session_id: r.session_id,
  start_time: r.start_time ? new Date(r.start_time) : null,
  ms: Number(r.attendee_ms),
  attendees: Number(r.attendees),
});

function sessionRollupsOf(db: Executor, scope: RollupScope, month: string) {
  let query = db
    .selectFrom("usage_session_rollups")
    .where("zone", "=", scope.zone)
    .where("clinic_id", "=", scope.clinicId)
    .where("month", "=", month);
  if (scope.doctorId !== undefined) query = query.where("doctor_id", "=", scope.doctorId);
  return query;
}

/**
 * One page of the month's sessions with closed usage, newest start first (no start last),
 * then by id: a total order, so pages neither repeat nor skip a session. An index range scan
 * (usage_session_rollups_clinic / _doctor).
 */
export function sessionRollupPageQuery(db: Executor, scope: RollupScope, month: string, offset: number, limit: number) {
  return sessionRollupsOf(db, scope, month)
    .select(["session_id", "start_time", "attendee_ms", "attendees"])
    .orderBy(sql`start_time DESC NULLS LAST`)
    .orderBy("session_id")
    .offset(offset)
    .limit(limit);
}

export async function sessionRollupPage(
  db: Executor,
  scope: RollupScope,
  month: string,
  offset: number,
  limit: number,
): Promise<SessionRollup[]> {
  if (limit <= 0) return [];
  return (await sessionRollupPageQuery(db, scope, month, offset, limit).execute()).map(toSessionRollup);
}

/** How many sessions with closed usage come before a session placed at (start_time, session_id) in the page order. */
export async function sessionRollupsBefore(
  db: Executor,
  scope: RollupScope,
  month: string,
  at: { start_time: Date | null; session_id: string },
): Promise<number> {
  const query = sessionRollupsOf(db, scope, month)
    .select(sql<string>`count(*)`.as("n"))
    .where((eb) =>
      at.start_time === null
        ? eb.or([
            eb("start_time", "is not", null),
            eb.and([eb("start_time", "is", null), eb("session_id", "<", at.session_id)]),
          ])
        : eb.or([
            eb("start_time", ">", at.start_time),
            eb.and([eb("start_time", "=", at.start_time), eb("session_id", "<", at.session_id)]),
          ]),
    );
  const row = await query.executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The month's closed usage of given sessions (and which of their people it already counts). */
export async function sessionRollupsByIds(db: Executor, zone: string, month: string, sessionIds: string[]) {
  if (sessionIds.length === 0) return { sessions: new Map<string, SessionRollup>(), people: new Set<string>() };
  const [rows, people] = await Promise.all([
    db
      .selectFrom("usage_session_rollups")
      .select(["session_id", "start_time", "attendee_ms", "attendees"])
      .where("zone", "=", zone)
      .where("month", "=", month)
      .where("session_id", "in", sessionIds)
      .execute(),
    db
      .selectFrom("usage_session_people")
      .select(["session_id", "user_id"])
      .where("zone", "=", zone)
      .where("month", "=", month)
      .where("session_id", "in", sessionIds)
      .execute(),
  ]);
  return {
    sessions: new Map(rows.map((r) => [r.session_id, toSessionRollup(r)])),
    people: new Set(people.map((p) => key(p.session_id, p.user_id))),
  };
}

/** A session of the month's page with the facts the response shows (the session row may be gone: nulls). */
export interface PageSession extends SessionRollup {
  doctor_id: string | null;
  patient_name: string | null;
  session_start: Date | null;
  session_end: Date | null;
}

/** Everything a usage read needs in the usual case, from one statement (`usageSnapshot`). */
export interface UsageSnapshot {
  days: Map<string, number>;
  totals: { ms: number; sessions: number };
  /** The clinic's closed milliseconds when the scope is one doctor (the free tier is the clinic's). */
  clinicMs: number | undefined;
  open: OpenInterval[];
  /** The page from the rollups alone: right as it is when no session of the month is only open (live-only). */
  page: PageSession[];
}

const msOf = (v: string | number | null) => (v === null ? null : new Date(Number(v)));

/**
 * A month's usage in one round trip: the daily rows (the clinic's all-doctors table, or the
 * doctor's own rows), the month totals, the open intervals (partial index on open rows) and one
 * page of sessions from the rollups joined with their session rows, each an index range scan of
 * the scope's rows only, so the cost does not grow with the month's intervals. Instants travel as
 * epoch milliseconds and sums as text (exact).
 */
export async function usageSnapshot(
  db: Executor,
  scope: RollupScope,
  bounds: Bounds,
  page: { offset: number; limit: number },
): Promise<UsageSnapshot> {
  const { zone, clinicId, doctorId } = scope;
  const first = sql`${`${bounds.month}-01`}::date`;
  const next = sql`(${`${bounds.month}-01`}::date + interval '1 month')::date`;
  const epochMs = (column: RawBuilder<unknown>) => sql`floor(extract(epoch FROM ${column}) * 1000)::text`;
  const days =
    doctorId === undefined
      ? sql`SELECT day, attendee_ms AS ms FROM usage_clinic_daily_rollups
          WHERE zone = ${zone} AND clinic_id = ${clinicId} AND day >= ${first} AND day < ${next}`
      : sql`SELECT day, sum(attendee_ms) AS ms FROM usage_daily_rollups
          WHERE zone = ${zone} AND clinic_id = ${clinicId} AND day >= ${first} AND day < ${next}
            AND doctor_id = ${doctorId}
          GROUP BY day`;
  const ofDoctor = doctorId === undefined ? sql`` : sql`AND doctor_id = ${doctorId}`;
  const clinicMs =
    doctorId === undefined
      ? sql`NULL::text`
      : sql`(SELECT coalesce(sum(attendee_ms), 0)::text FROM usage_month_rollups
          WHERE zone = ${zone} AND clinic_id = ${clinicId} AND month = ${bounds.month})`;
  const { rows } = await sql<{
    days: { day: string; ms: string }[];
    ms: string;
    sessions: string;
    clinic_ms: string | null;
    open: {
      session_id: string;
      clinic_id: string;
      user_id: string;
      joined_at: string;
      doctor_id: string;
      start_time: string | null;
    }[];
    page: {
      session_id: string;
      start_time: string | null;
      ms: string;
      attendees: number;
      doctor_id: string | null;
      patient_name: string | null;
      session_start: string | null;
      session_end: string | null;
    }[];
  }>`
    SELECT
      (SELECT coalesce(json_agg(json_build_object('day', to_char(d.day, 'YYYY-MM-DD'), 'ms', d.ms::text)), '[]')
        FROM (${days}) d) AS days,
      m.ms, m.sessions,
      ${clinicMs} AS clinic_ms,
      (SELECT coalesce(json_agg(json_build_object(
          'session_id', i.session_id, 'clinic_id', i.clinic_id, 'user_id', i.user_id,
          'joined_at', ${epochMs(sql`i.joined_at`)}, 'doctor_id', s.doctor_id,
          'start_time', ${epochMs(sql`s.start_time`)})), '[]')
        FROM attendance_intervals i JOIN sessions s ON s.session_id = i.session_id
        WHERE i.left_at IS NULL AND i.joined_at < ${bounds.end} AND i.clinic_id = ${clinicId}) AS open,
      (SELECT coalesce(json_agg(json_build_object(
          'session_id', r.session_id, 'start_time', ${epochMs(sql`r.start_time`)}, 'ms', r.attendee_ms::text,
          'attendees', r.attendees, 'doctor_id', s.doctor_id, 'patient_name', s.patient_name,
          'session_start', ${epochMs(sql`s.start_time`)}, 'session_end', ${epochMs(sql`s.end_time`)})
          ORDER BY r.start_time DESC NULLS LAST, r.session_id), '[]')
        FROM (
          SELECT session_id, start_time, attendee_ms, attendees FROM usage_session_rollups
          WHERE zone = ${zone} AND clinic_id = ${clinicId} AND month = ${bounds.month} ${ofDoctor}
          ORDER BY start_time DESC NULLS LAST, session_id
          OFFSET ${page.offset} LIMIT ${page.limit}
        ) r
        -- Per page row by primary key (LIMIT keeps the planner from turning it into a join that
        -- reads every session); the rollup's id is COLLATE "C", the session's the default.
        LEFT JOIN LATERAL (
          SELECT doctor_id, patient_name, start_time, end_time FROM sessions
          WHERE session_id = r.session_id COLLATE "default" LIMIT 1
        ) s ON true) AS page
    FROM (
      SELECT coalesce(sum(attendee_ms), 0)::text AS ms, coalesce(sum(sessions), 0)::text AS sessions
      FROM usage_month_rollups
      WHERE zone = ${zone} AND clinic_id = ${clinicId} AND month = ${bounds.month} ${ofDoctor}
    ) m
  `.execute(db);
  const row = rows[0];
  if (!row) throw new Error("usage snapshot returned no row");
  return {
    days: new Map(row.days.map((d) => [d.day, Number(d.ms)])),
    totals: { ms: Number(row.ms), sessions: Number(row.sessions) },
    clinicMs: row.clinic_ms === null ? undefined : Number(row.clinic_ms),
    open: row.open.map((o) => ({
      ...o,
      joined_at: new Date(Number(o.joined_at)),
      start_time: msOf(o.start_time),
    })),
    page: row.page.map((p) => ({
      session_id: p.session_id,
      start_time: msOf(p.start_time),
      ms: Number(p.ms),
      attendees: Number(p.attendees),
      doctor_id: p.doctor_id,
      patient_name: p.patient_name,
      session_start: msOf(p.session_start),
      session_end: msOf(p.session_end),
    })),
  };
}

/** Key of a (session, person) pair in `sessionRollupsByIds(...).people`. */
export const personKey = (sessionId: string, userId: string) => key(sessionId, userId);

export interface OpenInterval {
  session_id: string;
  clinic_id: string;
  user_id: string;
  joined_at: Date;
  doctor_id: string;
  start_time: Date | null;
}

/**
 * Still-open intervals that joined before `before` (the month's end): few rows, from the
 * partial index on open intervals. `clinicId` undefined: every clinic's (metrics).
 */
export async function openIntervals(db: Executor, clinicId: string | undefined, before: Date): Promise<OpenInterval[]> {
  let query = db
    .selectFrom("attendance_intervals as i")
    .innerJoin("sessions as s", "s.session_id", "i.session_id")
    .select(["i.session_id", "i.clinic_id", "i.user_id", "i.joined_at", "s.doctor_id", "s.start_time"])
    .where("i.left_at", "is", null)
    .where("i.joined_at", "<", before);
  if (clinicId !== undefined) query = query.where("i.clinic_id", "=", clinicId);
  const rows = await query.execute();
  return rows.map((r) => ({
    ...r,
    joined_at: new Date(r.joined_at),
    start_time: r.start_time ? new Date(r.start_time) : null,
  }));
}

/**
 * The clinic's attendee-seconds in the month holding `at` (clinic time zone), open intervals
 * counted up to `at`: its month rollup rows (one per doctor) and its open intervals. The
 * free-tier block and the usage webhooks read this, inside their transaction when given one.
 */
export async function clinicMonthSeconds(db: Executor, timeZone: string, clinicId: string, at: Date): Promise<number> {
  const month = monthOf(at, timeZone);
  const bounds = monthBounds(month, timeZone);
  // One after the other: `db` may be a transaction (one connection).
  const closed = await monthRollup(db, { zone: timeZone, clinicId }, month);
  const open = await openIntervals(db, clinicId, bounds.end);
  return (closed.ms + liveUsage(open, bounds, at).ms) / 1000;
}

import type { SessionStatus } from "@clinic/contracts";
import { prepared, preparedStatement } from "@clinic/platform";
import { CompiledQuery, sql, type Updateable } from "kysely";
import { auditRowsCte } from "../audit/audit.repository.ts";
import type { Executor, SessionsTable, VideoDb, VideoTrx } from "../tables.ts";
import type { CarriedAudit } from "./session-access.ts";

export type SessionRow = Omit<SessionsTable, "booking_type"> & { booking_type: "CLINIC_BASED" };
export type NewSession = Omit<SessionsTable, "booking_type">;

// Every step of a consultation reads its session first: prepared, parsed and planned once per connection.
const findSessionText = preparedStatement("SELECT * FROM sessions WHERE session_id = $1");
const findSessionByAppointmentText = preparedStatement("SELECT * FROM sessions WHERE appointment_id = $1");

export async function findSession(db: Executor, sessionId: string): Promise<SessionRow | undefined> {
  const { rows } = await db.executeQuery<SessionRow>(CompiledQuery.raw(findSessionText, [sessionId]));
  return rows[0];
}

export async function findSessionByAppointment(db: Executor, appointmentId: string): Promise<SessionRow | undefined> {
  const { rows } = await db.executeQuery<SessionRow>(CompiledQuery.raw(findSessionByAppointmentText, [appointmentId]));
  return rows[0];
}

const touchInProgressText = preparedStatement(
  `${auditRowsCte} UPDATE sessions SET last_activity_at = $10, updated_at = $10 ` +
    "WHERE session_id = $11 AND status = 'IN_PROGRESS' RETURNING *",
);

/**
 * A join's first statement: the access row (`audit`), and the session's activity stamped,
 * which takes the row lock and checks the session is in progress. Undefined when it is not (the
 * caller looks, under the lock); the access row is inserted either way.
 */
export async function touchInProgress(
  trx: VideoTrx,
  audit: CarriedAudit,
  sessionId: string,
  at: Date,
): Promise<SessionRow | undefined> {
  const { rows } = await trx.executeQuery<SessionRow>(
    CompiledQuery.raw(touchInProgressText, [...audit.params(), at, sessionId]),
  );
  return rows[0];
}

const endInProgressText = preparedStatement(
  `${auditRowsCte} UPDATE sessions SET status = 'COMPLETED', end_time = $10, end_reason = $11, ` +
    "notes = CASE WHEN $12::boolean THEN $13::text ELSE notes END, " +
    "quality_rating = CASE WHEN $14::boolean THEN $15::integer ELSE quality_rating END, " +
    "last_activity_at = $10, updated_at = $10 WHERE session_id = $16 AND status = 'IN_PROGRESS' RETURNING *",
);

/**
 * The doctor's end in one statement: the access row (`audit`), and IN_PROGRESS → COMPLETED,
 * which takes the row lock. Undefined when the session is not in progress (the caller looks,
 * under the lock); the access row is inserted either way.
 */
export async function endInProgress(
  trx: VideoTrx,
  audit: CarriedAudit,
  sessionId: string,
  ending: {
    end_time: Date;
    end_reason: SessionRow["end_reason"];
    notes?: string | null | undefined;
    quality_rating?: number | null | undefined;
  },
): Promise<SessionRow | undefined> {
  const { rows } = await trx.executeQuery<SessionRow>(
    CompiledQuery.raw(endInProgressText, [
      ...audit.params(),
      ending.end_time,
      ending.end_reason,
      ending.notes !== undefined,
      ending.notes ?? null,
      ending.quality_rating !== undefined,
      ending.quality_rating ?? null,
      sessionId,
    ]),
  );
  return rows[0];
}

/** Row lock: every change of a session's state happens under it. */
export async function lockSession(trx: VideoTrx, sessionId: string): Promise<SessionRow | undefined> {
  return trx.selectFrom("sessions").selectAll().where("session_id", "=", sessionId).forUpdate().executeTakeFirst();
}

/**
 * Concurrent starts meet here: the unique index on appointment_id lets exactly one insert
 * win (the others wait for it, then do nothing), and the row lock queues them behind it
 * while each looks at the start reservation (`reserveStart`).
 */
export async function insertOrLockByAppointment(trx: VideoTrx, row: NewSession): Promise<SessionRow> {
  await trx
    .insertInto("sessions")
    .values(row)
    .onConflict((oc) => oc.column("appointment_id").doNothing())
    .execute();
  return trx
    .selectFrom("sessions")
    .selectAll()
    .where("appointment_id", "=", row.appointment_id)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/**
 * Another start is calling the media provider for this session now: its reservation is younger
 * than `ttlMs` (`startReservationTtlMs`, well above the provider's slowest start). An older one
 * was left by a process that died mid-call, and the next start takes it over.
 */
export function hasLiveStartReservation(row: SessionRow, now: Date, ttlMs: number): boolean {
  if (row.start_token === null || row.start_reserved_at === null) return false;
  return now.getTime() - row.start_reserved_at.getTime() < ttlMs;
}

/**
 * Takes the start reservation (under the row lock, after `hasLiveStartReservation` said no).
 * The token (a UUID, one per start attempt) is also that attempt's idempotency key at the media
 * provider (Chime: ClientRequestToken).
 */
export async function reserveStart(trx: VideoTrx, sessionId: string, token: string, at: Date): Promise<void> {
  await trx
    .updateTable("sessions")
    .set({ start_token: token, start_reserved_at: at })
    .where("session_id", "=", sessionId)
    .execute();
}

/**
 * Takes the start reservation of a session that exists, in one statement (no transaction
 * around it): the row is locked first (the subquery's FOR UPDATE waits for a start or an event
 * holding it and reads its latest version), then reserved only while it is CREATED and nobody
 * else's reservation is live (younger than `ttlMs`, as `hasLiveStartReservation`). Undefined
 * when it was not taken (no such session, not CREATED, or a live reservation): the caller reads
 * why. `previous_token` is the expired reservation this one took over, if any.
 */
export async function reserveStartOfExisting(
  db: Executor,
  sessionId: string,
  token: string,
  at: Date,
  ttlMs: number,
): Promise<{ previous_token: string | null } | undefined> {
  const expiredBefore = new Date(at.getTime() - ttlMs);
  const statement = sql<{ previous_token: string | null }>`
    UPDATE sessions AS s SET start_token = ${token}, start_reserved_at = ${at}
    FROM (SELECT session_id, start_token FROM sessions WHERE session_id = ${sessionId} FOR UPDATE) AS p
    WHERE s.session_id = p.session_id AND s.status = 'CREATED'
      AND (s.start_token IS NULL OR s.start_reserved_at IS NULL OR s.start_reserved_at <= ${expiredBefore})
    RETURNING p.start_token AS previous_token`.compile(db);
  const { rows } = await db.executeQuery(prepared(statement));
  return rows[0];
}

const recordStartText = preparedStatement(
  `${auditRowsCte}, started AS (UPDATE sessions SET status = 'IN_PROGRESS', start_time = $10, media_provider = $11, ` +
    "meeting_id = $12, meeting_media_urls = $13::jsonb, meeting_provider_data = $14::jsonb, " +
    "doctor_id = CASE WHEN $15::boolean THEN $16::text ELSE doctor_id END, " +
    "patient_id = CASE WHEN $15::boolean THEN $17::text ELSE patient_id END, " +
    "patient_name = CASE WHEN $15::boolean THEN $18::text ELSE patient_name END, " +
    "scheduled_start = CASE WHEN $15::boolean THEN $19::timestamptz ELSE scheduled_start END, " +
    "scheduled_duration_minutes = CASE WHEN $15::boolean THEN $20::integer ELSE scheduled_duration_minutes END, " +
    "start_token = NULL, start_reserved_at = NULL, last_activity_at = $10, updated_at = $10 " +
    "WHERE session_id = $21 AND status = 'CREATED' AND start_token = $22 RETURNING *), " +
    // The doctor's attendee, only with the update (no row when the start does not apply).
    "doctor_attendee AS (INSERT INTO attendees (attendee_id, session_id, user_id, user_type, name, status, " +
    "device_info, browser_info, provider_data, created_at, updated_at) " +
    "SELECT $23, session_id, $24, 'DOCTOR', $25, 'JOINING', NULL, NULL, $26::jsonb, $10, $10 FROM started) " +
    "SELECT * FROM started",
);

/** What a start's record step writes; `facts`: the appointment's, when just looked up (they replace the session's). */
export interface RecordedStart {
  at: Date;
  /** The doctor's attendee (JOINING, made at `at`); `provider_data` a JSON text. */
  doctor: { attendee_id: string; user_id: string; name: string; provider_data: string };
  media_provider: string;
  meeting_id: string;
  /** JSON texts. */
  meeting_media_urls: string;
  meeting_provider_data: string;
  facts?: {
    doctor_id: string;
    patient_id: string;
    patient_name: string;
    scheduled_start: Date;
    scheduled_duration_minutes: number;
  };
}

/**
 * A start's record step in one statement: the doctor's access row (`audit`), and CREATED →
 * IN_PROGRESS, the update taking the row lock and applying only while the session is still
 * CREATED and reserved by `token` (the reservation given back), and with it the doctor's
 * attendee. Undefined otherwise (cancelled meanwhile, or the reservation expired and another
 * start took it; no attendee then): the caller reads why; the access row is inserted either way.
 */
export async function recordStart(
  trx: VideoTrx,
  audit: CarriedAudit,
  sessionId: string,
  token: string,
  start: RecordedStart,
): Promise<SessionRow | undefined> {
  const { facts } = start;
  const { rows } = await trx.executeQuery<SessionRow>(
    CompiledQuery.raw(recordStartText, [
      ...audit.params(),
      start.at,
      start.media_provider,
      start.meeting_id,
      start.meeting_media_urls,
      start.meeting_provider_data,
      facts !== undefined,
      facts?.doctor_id ?? null,
      facts?.patient_id ?? null,
      facts?.patient_name ?? null,
      facts?.scheduled_start ?? null,
      facts?.scheduled_duration_minutes ?? null,
      sessionId,
      token,
      start.doctor.attendee_id,
      start.doctor.user_id,
      start.doctor.name,
      start.doctor.provider_data,
    ]),
  );
  return rows[0];
}

/**
 * Changes a session only while it is in `status`, the update taking the row lock itself (one
 * statement where a lock, a check and an update were three). Undefined when it is not (or
 * there is no such session): the caller takes the lock and reads why.
 */
export async function updateSessionInStatus(
  trx: VideoTrx,
  sessionId: string,
  status: SessionRow["status"],
  patch: Updateable<SessionsTable>,
): Promise<SessionRow | undefined> {
  return trx
    .updateTable("sessions")
    .set(patch)
    .where("session_id", "=", sessionId)
    .where("status", "=", status)
    .returningAll()
    .executeTakeFirst();
}

/** Gives a failed start's reservation back, so the next start need not wait for it to expire. */
export async function releaseStartReservation(db: Executor, sessionId: string, token: string): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ start_token: null, start_reserved_at: null })
    .where("session_id", "=", sessionId)
    .where("start_token", "=", token)
    .execute();
}

/** Inserts a CREATED session for a booked appointment unless one exists; true when inserted. */
export async function insertIfAbsent(db: Executor, row: NewSession): Promise<boolean> {
  const inserted = await db
    .insertInto("sessions")
    .values(row)
    .onConflict((oc) => oc.column("appointment_id").doNothing())
    .returning("session_id")
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function updateSession(
  db: Executor,
  sessionId: string,
  patch: Updateable<SessionsTable>,
): Promise<SessionRow> {
  return db
    .updateTable("sessions")
    .set(patch)
    .where("session_id", "=", sessionId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Proof of activity on an IN_PROGRESS session (a connect or a leave), read by the idle sweeper. */
export async function touchSessionActivity(db: Executor, sessionId: string, at: Date): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ last_activity_at: at })
    .where("session_id", "=", sessionId)
    .where("status", "=", "IN_PROGRESS")
    .execute();
}

export async function findClinicOfSession(db: Executor, sessionId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("sessions")
    .select("clinic_id")
    .where("session_id", "=", sessionId)
    .executeTakeFirst();
  return row?.clinic_id;
}

/** `appointment.cancelled`: a CREATED session is cancelled (a started one is not); the rows changed. */
export async function cancelCreatedSession(db: Executor, appointmentId: string, at: Date): Promise<number> {
  const result = await db
    .updateTable("sessions")
    .set({ status: "CANCELLED", updated_at: at })
    .where("appointment_id", "=", appointmentId)
    .where("status", "=", "CREATED")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** `appointment.rescheduled`: only a session not yet started follows the appointment. */
export async function rescheduleCreatedSession(
  db: Executor,
  appointment: { appointment_id: string; clinic_id: string; start: Date; duration_minutes: number },
  at: Date,
): Promise<void> {
  await db
    .updateTable("sessions")
    .set({
      scheduled_start: appointment.start,
      scheduled_duration_minutes: appointment.duration_minutes,
      updated_at: at,
    })
    .where("appointment_id", "=", appointment.appointment_id)
    .where("clinic_id", "=", appointment.clinic_id)
    .where("status", "=", "CREATED")
    .execute();
}

export interface SessionFilter {
  doctor_id?: string;
  clinic_id?: string;
  status?: SessionStatus;
}

/**
 * What a list entry shows (session-views.ts toSummary): not the notes, media URLs or provider
 * data. The times are the API's ISO strings already (`listSessions`), not Dates.
 */
export interface SummaryRow {
  session_id: string;
  appointment_id: string;
  clinic_id: string;
  doctor_id: string;
  patient_id: string;
  patient_name: string;
  status: SessionStatus;
  /** The actual start, or the scheduled one before the session started. */
  start_time: string;
  end_time: string | null;
  meeting_id: string | null;
  scheduled_start: string;
  scheduled_duration_minutes: number;
  created_at: string;
  updated_at: string;
}

/**
 * A timestamp column as PostgreSQL prints it in UTC (`(col AT TIME ZONE 'UTC')::text`, DateStyle
 * ISO: `2026-12-03 07:37:17.123456`, the fraction left out when zero and its trailing zeros
 * dropped) → the API's ISO string, milliseconds truncated as `Date` does
 * (`2026-12-03T07:37:17.123Z`). Cheaper than the driver's text → Date → `toISOString()`; any
 * other shape (a year past 9999, BC) goes through Date.
 */
export function isoOfUtcText(text: string): string {
  const n = text.length;
  if (n >= 19 && text.charCodeAt(4) === 45 && text.charCodeAt(10) === 32 && (n === 19 || text.charCodeAt(19) === 46)) {
    const fraction = n === 19 ? "000" : n >= 23 ? text.slice(20, 23) : text.slice(20).padEnd(3, "0");
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction}Z`;
  }
  return new Date(`${text.replace(" ", "T")}Z`).toISOString();
}

const utcText = (column: string) => `(${column} AT TIME ZONE 'UTC')::text`;

/**
 * The list page's statement, one text per filter shape and sort, built once: no query building
 * per request. The page's rows carry the total as an uncorrelated subquery (evaluated once,
 * from session_counts like `countSessions`), so page and count are one statement, one round
 * trip; the times come out as UTC text for `isoOfUtcText`. A prepared statement on PostgreSQL
 * (platform `preparedStatement`): parsed once per connection.
 *
 * A first page (`offset` 0) has its LIMIT written into the text (`firstPageLimit`): with
 * `LIMIT $n OFFSET $m` PostgreSQL's generic plan assumes a tenth of the rows are wanted, so it
 * kept planning the statement anew for every execution (a custom plan, ~0.15 ms of the
 * backend per request, more than running it); with constants the plan is made once per
 * connection and reused (bench README Finding 25). Other pages keep the parameters.
 */
const listStatements = new Map<string, string>();
function shapeOf(filter: SessionFilter, sort: "created_at" | "start_time"): string {
  return `${filter.doctor_id !== undefined}|${filter.clinic_id !== undefined}|${filter.status !== undefined}|${sort}`;
}
/** At most this many first-page texts (one per filter shape, sort and limit); then `LIMIT $n OFFSET $m`. */
export const maxFirstPageStatements = 16;
let firstPageStatements = 0;
function listStatement(filter: SessionFilter, sort: "created_at" | "start_time", firstPageLimit?: number): string {
  const shape = shapeOf(filter, sort);
  const key = firstPageLimit === undefined ? shape : `${shape}|${firstPageLimit}`;
  let text = listStatements.get(key);
  if (text !== undefined) return text;
  const where: string[] = [];
  let i = 0;
  if (filter.doctor_id !== undefined) where.push(`doctor_id = $${++i}`);
  if (filter.clinic_id !== undefined) where.push(`clinic_id = $${++i}`);
  if (filter.status !== undefined) where.push(`status = $${++i}`);
  const whereSql = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
  // Qualified: a bare `created_at` in ORDER BY would name the text column of the output (no index).
  const order =
    sort === "start_time" ? "coalesce(sessions.start_time, sessions.scheduled_start) DESC" : "sessions.created_at DESC";
  text =
    `SELECT (SELECT sum(n) FROM session_counts${whereSql}) AS total, session_id, appointment_id, clinic_id, ` +
    `doctor_id, patient_id, patient_name, status, ${utcText("coalesce(start_time, scheduled_start)")} AS start_time, ` +
    `${utcText("end_time")} AS end_time, meeting_id, ${utcText("scheduled_start")} AS scheduled_start, ` +
    `scheduled_duration_minutes, ${utcText("created_at")} AS created_at, ${utcText("updated_at")} AS updated_at ` +
    `FROM sessions${whereSql} ORDER BY ${order}, sessions.session_id ` +
    (firstPageLimit === undefined ? `LIMIT $${i + 1} OFFSET $${i + 2}` : `LIMIT ${firstPageLimit}`);
  if (firstPageLimit !== undefined) firstPageStatements++;
  listStatements.set(key, preparedStatement(text));
  return text;
}

/** The first page's limit to write into the statement's text, when it is (or may become) one of the bounded set. */
function firstPageLimitOf(
  filter: SessionFilter,
  page: { limit: number; offset: number; sort: "created_at" | "start_time" },
): number | undefined {
  if (page.offset !== 0 || !Number.isSafeInteger(page.limit) || page.limit < 0) return undefined;
  if (firstPageStatements < maxFirstPageStatements) return page.limit;
  return listStatements.has(`${shapeOf(filter, page.sort)}|${page.limit}`) ? page.limit : undefined;
}

type ListRow = Omit<SummaryRow, "start_time" | "end_time" | "scheduled_start" | "created_at" | "updated_at"> & {
  total: string | number | null;
  start_time: string;
  end_time: string | null;
  scheduled_start: string;
  created_at: string;
  updated_at: string;
};

/** A page's rows, and its total when a row carried it (undefined: count it on its own). */
interface ReadPage {
  rows: ListRow[];
  total: number | undefined;
}

async function readPage(db: VideoDb, text: string, params: unknown[]): Promise<ReadPage> {
  const { rows } = await db.executeQuery<ListRow>(CompiledQuery.raw(text, params));
  const first = rows[0];
  return { rows, total: first === undefined ? undefined : Number(first.total ?? 0) };
}

/** The filter's parameters in the statements' order (doctor, clinic, status). */
function filterParams(filter: SessionFilter): unknown[] {
  const params: unknown[] = [];
  if (filter.doctor_id !== undefined) params.push(filter.doctor_id);
  if (filter.clinic_id !== undefined) params.push(filter.clinic_id);
  if (filter.status !== undefined) params.push(filter.status);
  return params;
}

/**
 * The first pages of concurrent requests of one filter shape, sort and limit, read by one
 * statement (`readFirstPages`): each request's filter values are one element of the
 * parameter arrays, its own page a `LATERAL` subquery (the single statement's, run per
 * element: the same index scan, sort and constant LIMIT) and its total a `LATERAL` sum of the
 * counter rows, which a request whose page is empty gets too (the left join keeps its element).
 * Identical requests are not merged: every element reads its own rows. Rows come back element
 * by element (`k`) and each element's in its page's order: the plan is a nested loop whose
 * outer side is the function scan of the arrays, which is never run in parallel.
 */
const batchStatements = new Map<string, string>();
function batchStatement(filter: SessionFilter, sort: "created_at" | "start_time", limit: number): string {
  const key = `${shapeOf(filter, sort)}|${limit}`;
  let text = batchStatements.get(key);
  if (text !== undefined) return text;
  const columns: string[] = [];
  if (filter.doctor_id !== undefined) columns.push("doctor_id");
  if (filter.clinic_id !== undefined) columns.push("clinic_id");
  if (filter.status !== undefined) columns.push("status");
  const arrays = columns.map((_, i) => `$${i + 1}::text[]`).join(", ");
  const countWhere = columns.map((c) => `session_counts.${c} = q.${c}`).join(" AND ");
  const pageWhere = columns.map((c) => `sessions.${c} = q.${c}`).join(" AND ");
  const order =
    sort === "start_time" ? "coalesce(sessions.start_time, sessions.scheduled_start) DESC" : "sessions.created_at DESC";
  text =
    `SELECT q.k, c.total, s.* FROM unnest(${arrays}) WITH ORDINALITY AS q(${columns.join(", ")}, k) ` +
    `CROSS JOIN LATERAL (SELECT sum(n) AS total FROM session_counts WHERE ${countWhere}) AS c ` +
    `LEFT JOIN LATERAL (SELECT session_id, appointment_id, clinic_id, doctor_id, patient_id, patient_name, status, ` +
    `${utcText("coalesce(start_time, scheduled_start)")} AS start_time, ${utcText("end_time")} AS end_time, ` +
    `meeting_id, ${utcText("scheduled_start")} AS scheduled_start, scheduled_duration_minutes, ` +
    `${utcText("created_at")} AS created_at, ${utcText("updated_at")} AS updated_at ` +
    `FROM sessions WHERE ${pageWhere} ORDER BY ${order}, sessions.session_id LIMIT ${limit}) AS s ON true`;
  batchStatements.set(key, preparedStatement(text));
  return text;
}

type BatchRow = Omit<ListRow, "session_id"> & { k: string | number; session_id: string | null };

/** One statement for the first pages of `members` (at least two, of one shape): each member's page, in order. */
async function readFirstPages(
  db: VideoDb,
  filter: SessionFilter,
  sort: "created_at" | "start_time",
  limit: number,
  members: readonly WaitingPage[],
): Promise<ReadPage[]> {
  const width = members[0]!.params.length;
  const arrays: unknown[][] = [];
  for (let c = 0; c < width; c++) arrays.push(members.map((m) => m.params[c]));
  const { rows } = await db.executeQuery<BatchRow>(CompiledQuery.raw(batchStatement(filter, sort, limit), arrays));
  const pages = members.map((): ReadPage => ({ rows: [], total: undefined }));
  for (const r of rows) {
    const page = pages[Number(r.k) - 1];
    if (page === undefined) throw new Error("list batch: a row of no request");
    page.total = Number(r.total ?? 0);
    if (r.session_id !== null) page.rows.push(r as ListRow);
  }
  for (const page of pages) if (page.total === undefined) throw new Error("list batch: a request without its row");
  return pages;
}

interface WaitingPage {
  params: unknown[];
  resolve: (page: ReadPage) => void;
  reject: (err: unknown) => void;
}

interface PageBatch {
  filter: SessionFilter;
  sort: "created_at" | "start_time";
  limit: number;
  queue: WaitingPage[];
  reading: boolean;
}

/** At most this many requests' pages in one statement (a bound on its size and on the requests it fails together). */
export const listBatchMaxRequests = 100;
const pageBatches = new WeakMap<VideoDb, Map<string, PageBatch>>();

/**
 * Concurrent first pages of one filter shape, sort and limit read together, as audit rows are
 * written (audit-batcher.ts): the first request waits for the end of the event-loop turn
 * (`setImmediate`: the requests that arrived in the same I/O phase join it), one statement
 * per batch key is in flight at a time, and requests arriving meanwhile form the next batch.
 * A batch of one runs the single statement. When the statement fails, every request of the
 * batch fails with its error, as its own statement would have.
 */
function batchedFirstPage(
  db: VideoDb,
  filter: SessionFilter,
  sort: "created_at" | "start_time",
  limit: number,
  params: unknown[],
): Promise<ReadPage> {
  let batches = pageBatches.get(db);
  if (batches === undefined) {
    batches = new Map();
    pageBatches.set(db, batches);
  }
  const key = `${shapeOf(filter, sort)}|${limit}`;
  let batch = batches.get(key);
  if (batch === undefined) {
    batch = { filter, sort, limit, queue: [], reading: false };
    batches.set(key, batch);
  }
  const b = batch;
  return new Promise<ReadPage>((resolve, reject) => {
    b.queue.push({ params, resolve, reject });
    if (b.reading) return;
    b.reading = true;
    setImmediate(() => void readBatches(db, b));
  });
}

async function readBatches(db: VideoDb, batch: PageBatch): Promise<void> {
  while (batch.queue.length > 0) {
    const members = batch.queue.splice(0, listBatchMaxRequests);
    try {
      if (members.length === 1) {
        const only = members[0]!;
        only.resolve(await readPage(db, listStatement(batch.filter, batch.sort, batch.limit), only.params));
      } else {
        const pages = await readFirstPages(db, batch.filter, batch.sort, batch.limit, members);
        for (let i = 0; i < members.length; i++) members[i]!.resolve(pages[i]!);
      }
    } catch (err) {
      for (const m of members) m.reject(err);
    }
  }
  batch.reading = false;
}

export async function listSessions(
  db: VideoDb,
  filter: SessionFilter,
  page: { limit: number; offset: number; sort: "created_at" | "start_time" },
): Promise<{ rows: SummaryRow[]; total: number }> {
  const params = filterParams(filter);
  const firstPageLimit = firstPageLimitOf(filter, page);
  let read: ReadPage;
  if (firstPageLimit !== undefined && params.length > 0) {
    read = await batchedFirstPage(db, filter, page.sort, firstPageLimit, params);
  } else {
    if (firstPageLimit === undefined) params.push(page.limit, page.offset);
    read = await readPage(db, listStatement(filter, page.sort, firstPageLimit), params);
  }
  const rows = read.rows;
  // A page past the end has no row to carry the total: counted on its own then.
  const total = read.total ?? (await countSessions(db, filter));
  const summaries = new Array<SummaryRow>(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    summaries[k] = {
      session_id: r.session_id,
      appointment_id: r.appointment_id,
      clinic_id: r.clinic_id,
      doctor_id: r.doctor_id,
      patient_id: r.patient_id,
      patient_name: r.patient_name,
      status: r.status,
      start_time: isoOfUtcText(r.start_time),
      end_time: r.end_time === null ? null : isoOfUtcText(r.end_time),
      meeting_id: r.meeting_id,
      scheduled_start: isoOfUtcText(r.scheduled_start),
      scheduled_duration_minutes: r.scheduled_duration_minutes,
      created_at: isoOfUtcText(r.created_at),
      updated_at: isoOfUtcText(r.updated_at),
    };
  }
  return { rows: summaries, total };
}

/**
 * How many sessions match, from the counter rows a trigger keeps exact in every writing
 * transaction (migration 2026-12-04-070): at most one row per doctor and status, not a scan of
 * the sessions themselves.
 */
export async function countSessions(db: Executor, filter: SessionFilter): Promise<number> {
  let query = db.selectFrom("session_counts").select(sql<string | null>`sum(n)`.as("n"));
  if (filter.clinic_id) query = query.where("clinic_id", "=", filter.clinic_id);
  if (filter.doctor_id) query = query.where("doctor_id", "=", filter.doctor_id);
  if (filter.status) query = query.where("status", "=", filter.status);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n ?? 0);
}

/**
 * IN_PROGRESS sessions with nobody connected and no activity since `cutoff`, on either media
 * provider: a Chime client holds our signalling socket too (presence only), so its attendance
 * is recorded like an embedded one's (session-presence.ts).
 */
export async function findIdleSessions(db: VideoDb, cutoff: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom("sessions as s")
    .select("s.session_id")
    .where("s.status", "=", "IN_PROGRESS")
    .where("s.last_activity_at", "<", cutoff)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("attendance_intervals as i")
            .select("i.id")
            .whereRef("i.session_id", "=", "s.session_id")
            .where("i.left_at", "is", null),
        ),
      ),
    )
    .limit(limit)
    .execute();
  return rows.map((r) => r.session_id);
}

/** Sessions under way now (metrics): a count over the partial index on IN_PROGRESS rows. */
export async function countInProgress(db: VideoDb): Promise<number> {
  const row = await db
    .selectFrom("sessions")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("status", "=", "IN_PROGRESS")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

import { compiledOnce, type Param, preparedStatement } from "@clinic/platform";
import { CompiledQuery, sql } from "kysely";
import { auditRowsCte } from "../audit/audit.repository.ts";
import type { Executor, SessionAdmissionsTable, SessionsTable } from "../tables.ts";
import type { CarriedAudit } from "./session-access.ts";

/** The waiting room's rows (issue 12): who the doctor let in, and who waits for which doctor. */

export async function findAdmission(
  db: Executor,
  sessionId: string,
  userId: string,
): Promise<SessionAdmissionsTable | undefined> {
  return db
    .selectFrom("session_admissions")
    .selectAll()
    .where("session_id", "=", sessionId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

/** Admits the person (once: an earlier admission is kept) and returns the admission on record. */
export async function admit(db: Executor, row: SessionAdmissionsTable): Promise<SessionAdmissionsTable> {
  await db
    .insertInto("session_admissions")
    .values(row)
    .onConflict((oc) => oc.columns(["session_id", "user_id"]).doNothing())
    .execute();
  const stored = await findAdmission(db, row.session_id, row.user_id);
  if (!stored) throw new Error("admission not stored");
  return stored;
}

/** A live attendee of the session ($n) whose person is not admitted yet (`unadmittedPatients`' rows). */
const someoneWaits = (n: string) =>
  `EXISTS (SELECT 1 FROM attendees a WHERE a.session_id = ${n} AND a.user_type = 'PATIENT' ` +
  "AND a.status IN ('JOINING', 'CONNECTED') AND NOT EXISTS (SELECT 1 FROM session_admissions ad " +
  "WHERE ad.session_id = a.session_id AND ad.user_id = a.user_id))";

/**
 * With the doctor's access row (`auditRowsCte`, $1–$9), sent outside any transaction. Turning
 * auto-admit on applies only when nobody waits by the statement's snapshot: whoever does is
 * admitted with the change, in one transaction (`setAutoAdmit`).
 */
const setAutoAdmitAloneText = preparedStatement(
  `${auditRowsCte} UPDATE sessions SET auto_admit = $10, updated_at = $11 ` +
    `WHERE session_id = $12 AND status = ANY($13::text[]) AND (NOT $10::boolean OR NOT ${someoneWaits("$12")}) ` +
    "RETURNING session_id",
);

const setAutoAdmitText = preparedStatement(
  "UPDATE sessions SET auto_admit = $1, updated_at = $2 WHERE session_id = $3 AND status = ANY($4::text[]) " +
    "RETURNING session_id",
);

/**
 * Sets auto-admit in one statement that takes the session's row lock and inserts the doctor's
 * access row (`audit`, whatever the update finds), its own transaction. False when it did not
 * apply: the session is missing or in none of `statuses`, or (turning it on) someone waits.
 */
export async function setAutoAdmitAlone(
  db: Executor,
  sessionId: string,
  autoAdmit: boolean,
  at: Date,
  statuses: SessionsTable["status"][],
  audit: CarriedAudit,
): Promise<boolean> {
  const { rows } = await db.executeQuery(
    CompiledQuery.raw(setAutoAdmitAloneText, [...audit.params(), autoAdmit, at, sessionId, statuses]),
  );
  return rows.length > 0;
}

/** Sets auto-admit if the session is in one of `statuses` (taking its row lock); false when it is not. */
export async function setAutoAdmit(
  trx: Executor,
  sessionId: string,
  autoAdmit: boolean,
  at: Date,
  statuses: SessionsTable["status"][],
): Promise<boolean> {
  const { rows } = await trx.executeQuery(CompiledQuery.raw(setAutoAdmitText, [autoAdmit, at, sessionId, statuses]));
  return rows.length > 0;
}

/** The patients of the session not admitted yet who hold a live attendee (JOINING or CONNECTED). */
export async function unadmittedPatients(db: Executor, sessionId: string) {
  // Read at every auto-admit change: compiled once, a prepared statement on PostgreSQL.
  return (await db.executeQuery(unadmittedPatientsStatement(db, { sessionId }))).rows;
}

const unadmittedPatientsStatement = compiledOnce((db: Executor, p: Param<{ sessionId: string }>) =>
  db
    .selectFrom("attendees as a")
    .leftJoin("session_admissions as ad", (join) =>
      join.onRef("ad.session_id", "=", "a.session_id").onRef("ad.user_id", "=", "a.user_id"),
    )
    .select(["a.attendee_id", "a.user_id"])
    .where("a.session_id", "=", p("sessionId"))
    .where("a.user_type", "=", "PATIENT")
    .where("a.status", "in", ["JOINING", "CONNECTED"])
    .where("ad.user_id", "is", null),
);

export interface WaitingRow {
  session_id: string;
  attendee_id: string;
  user_id: string;
  name: string;
  /** Their first connect to this session: they have waited since (a reconnect keeps the place). */
  since: Date;
}

/**
 * Who waits for the doctor, in order: patients not admitted with an open attendance interval
 * in the doctor's sessions in progress (or in one session), longest waiting first.
 */
export async function waitingFor(
  db: Executor,
  scope: { doctorId: string } | { sessionId: string },
): Promise<WaitingRow[]> {
  let query = db
    .selectFrom("attendance_intervals as i")
    .innerJoin("sessions as s", "s.session_id", "i.session_id")
    .innerJoin("attendees as a", "a.attendee_id", "i.attendee_id")
    .leftJoin("session_admissions as ad", (join) =>
      join.onRef("ad.session_id", "=", "i.session_id").onRef("ad.user_id", "=", "i.user_id"),
    )
    .select([
      "i.session_id",
      "i.attendee_id",
      "i.user_id",
      "a.name",
      sql<Date>`(select min(j.joined_at) from attendance_intervals j where j.session_id = i.session_id and j.user_id = i.user_id)`.as(
        "since",
      ),
    ])
    .where("s.status", "=", "IN_PROGRESS")
    .where("i.left_at", "is", null)
    .where("a.user_type", "=", "PATIENT")
    .where("ad.user_id", "is", null);
  query =
    "doctorId" in scope
      ? query.where("s.doctor_id", "=", scope.doctorId)
      : query.where("s.session_id", "=", scope.sessionId);
  const rows = await query.execute();
  return rows
    .map((r) => ({ ...r, since: new Date(r.since) }))
    .sort((x, y) => x.since.getTime() - y.since.getTime() || x.attendee_id.localeCompare(y.attendee_id));
}

/** The doctor's name as their attendee carries it (the call's own record of who they are). */
export async function doctorNameOf(db: Executor, sessionId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("attendees")
    .select("name")
    .where("session_id", "=", sessionId)
    .where("user_type", "=", "DOCTOR")
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.name;
}

export async function sessionWaitingFacts(db: Executor, sessionId: string) {
  return (await db.executeQuery(sessionWaitingFactsStatement(db, { sessionId }))).rows[0];
}

const sessionWaitingFactsStatement = compiledOnce((db: Executor, p: Param<{ sessionId: string }>) =>
  db.selectFrom("sessions").select(["doctor_id", "auto_admit"]).where("session_id", "=", p("sessionId")),
);

/** Takes the person's admission back (they wait again at their next connect). */
export async function revokeAdmission(db: Executor, sessionId: string, userId: string): Promise<void> {
  await db.deleteFrom("session_admissions").where("session_id", "=", sessionId).where("user_id", "=", userId).execute();
}

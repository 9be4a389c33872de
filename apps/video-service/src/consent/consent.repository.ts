import { compiledOnce, type Param, preparedStatement } from "@clinic/platform";
import { CompiledQuery, sql } from "kysely";
import { auditRowsCte } from "../audit/audit.repository.ts";
import type { CarriedAudit } from "../sessions/session-access.ts";
import type { ConsentAnswersTable, ConsentTextsTable, Executor, VideoTrx } from "../tables.ts";

export type ConsentTextRow = ConsentTextsTable;
export type ConsentAnswerRow = Omit<ConsentAnswersTable, "id">;

/** The clinic's newest text, if it ever set one. */
export async function findLatestConsentText(db: Executor, clinicId: string): Promise<ConsentTextRow | undefined> {
  // Read before every patient's join: compiled once, a prepared statement on PostgreSQL.
  return (await db.executeQuery(latestConsentTextStatement(db, { clinicId }))).rows[0];
}

const latestConsentTextStatement = compiledOnce((db: Executor, p: Param<{ clinicId: string }>) =>
  db.selectFrom("consent_texts").selectAll().where("clinic_id", "=", p("clinicId")).orderBy("version", "desc").limit(1),
);

/**
 * Adds the clinic's next version (newest + 1) in one statement. Two admins saving at once
 * compute the same number; the primary key lets one win and the other gets undefined (and
 * tries again), so no version is ever skipped or overwritten.
 */
export async function insertNextConsentText(
  db: Executor,
  row: Omit<ConsentTextRow, "version">,
): Promise<ConsentTextRow | undefined> {
  const result = await sql<ConsentTextRow>`
    INSERT INTO consent_texts (clinic_id, version, text, created_at, created_by)
    SELECT ${row.clinic_id}::text, coalesce(max(version), 0) + 1, ${row.text}::text, ${row.created_at}::timestamptz,
           ${row.created_by}::text
    FROM consent_texts WHERE clinic_id = ${row.clinic_id}::text
    ON CONFLICT (clinic_id, version) DO NOTHING
    RETURNING clinic_id, version, text, created_at, created_by`.execute(db);
  return result.rows[0];
}

/** With the patient's access and change rows (`auditRowsCte`, $1–$9): they commit with the answer, one round trip. */
const insertConsentAnswerText = preparedStatement(
  `${auditRowsCte} INSERT INTO consent_answers (session_id, patient_id, clinic_id, decision, text_version, decided_at) ` +
    "VALUES ($10, $11, $12, $13, $14, $15) " +
    "RETURNING session_id, patient_id, clinic_id, decision, text_version, decided_at",
);

export async function insertConsentAnswer(
  db: Executor,
  row: ConsentAnswerRow,
  audit: CarriedAudit,
): Promise<ConsentAnswerRow> {
  const { rows } = await db.executeQuery<ConsentAnswerRow>(
    CompiledQuery.raw(insertConsentAnswerText, [
      ...audit.params(),
      row.session_id,
      row.patient_id,
      row.clinic_id,
      row.decision,
      row.text_version,
      row.decided_at,
    ]),
  );
  if (!rows[0]) throw new Error("consent answer not stored");
  return rows[0];
}

/** The answer that counts: the session's most recent one. */
export async function findLatestConsentAnswer(db: Executor, sessionId: string): Promise<ConsentAnswerRow | undefined> {
  return db
    .selectFrom("consent_answers")
    .select(["session_id", "patient_id", "clinic_id", "decision", "text_version", "decided_at"])
    .where("session_id", "=", sessionId)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
}

/**
 * The session's status under its row lock, and the version of its clinic's newest consent text
 * (null: the clinic never set one, the default applies), in one statement.
 */
export async function lockSessionForConsent(trx: VideoTrx, sessionId: string) {
  return (await trx.executeQuery(lockSessionForConsentStatement(trx, { sessionId }))).rows[0];
}

const lockSessionForConsentStatement = compiledOnce((trx: VideoTrx, p: Param<{ sessionId: string }>) =>
  trx
    .selectFrom("sessions as s")
    .select((eb) => [
      "s.status",
      eb
        .selectFrom("consent_texts as t")
        .select("t.version")
        .whereRef("t.clinic_id", "=", "s.clinic_id")
        .orderBy("t.version", "desc")
        .limit(1)
        .as("text_version"),
    ])
    .where("s.session_id", "=", p("sessionId"))
    .forUpdate("s"),
);

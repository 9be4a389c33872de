import type { SessionStatus } from "@clinic/contracts";
import { preparedStatement } from "@clinic/platform";
import { CompiledQuery, sql } from "kysely";
import { auditRowsCte, auditRowsWhenCte } from "../audit/audit.repository.ts";
import type { CarriedAudit } from "../sessions/session-access.ts";
import type { ConsentAnswersTable, ConsentTextsTable, Executor } from "../tables.ts";

export type ConsentTextRow = ConsentTextsTable;
export type ConsentAnswerRow = Omit<ConsentAnswersTable, "id">;

/**
 * The clinic's newest text, if it ever set one (read before every patient's join), carrying the
 * reader's access row (`auditRowsCte`, $1–$9): one statement sent outside any transaction, so
 * the row commits with the read, before the answer.
 */
const latestConsentTextAuditedText = preparedStatement(
  `${auditRowsCte} SELECT clinic_id, version, text, created_at, created_by FROM consent_texts ` +
    "WHERE clinic_id = $10 ORDER BY version DESC LIMIT 1",
);

export async function findLatestConsentTextAudited(
  db: Executor,
  clinicId: string,
  audit: CarriedAudit,
): Promise<ConsentTextRow | undefined> {
  const { rows } = await db.executeQuery<ConsentTextRow>(
    CompiledQuery.raw(latestConsentTextAuditedText, [...audit.params(), clinicId]),
  );
  return rows[0];
}

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

/**
 * A patient's answer in one statement (no transaction): the session's row lock and status, the
 * version of its clinic's newest consent text (null: the clinic never set one, the default's 0
 * applies), the answer — stored only while the session is in one of `$16` and the answer is for
 * that version, under the lock (so an answer never lands after the session ended) — and the
 * patient's access and change rows (`auditRowsWhenCte`, $1–$9), written only with the answer.
 * The lock is taken first: the status is the row's latest once the lock is granted, the text
 * version is read at the statement's start, as the two statements before this one did it.
 */
const recordConsentAnswerText = preparedStatement(
  "WITH locked AS (" +
    "SELECT s.status, (SELECT t.version FROM consent_texts t WHERE t.clinic_id = s.clinic_id " +
    "ORDER BY t.version DESC LIMIT 1) AS text_version FROM sessions s WHERE s.session_id = $10 FOR UPDATE OF s), " +
    "answer AS (INSERT INTO consent_answers (session_id, patient_id, clinic_id, decision, text_version, decided_at) " +
    "SELECT $10, $11, $12, $13, $14::integer, $15 FROM locked " +
    "WHERE locked.status = ANY($16::text[]) AND coalesce(locked.text_version, 0) = $14::integer " +
    "RETURNING session_id, patient_id, clinic_id, decision, text_version, decided_at), " +
    `${auditRowsWhenCte("answer")} ` +
    "SELECT l.status, l.text_version AS current_version, a.session_id, a.patient_id, a.clinic_id, a.decision, " +
    "a.text_version, a.decided_at FROM locked l LEFT JOIN answer a ON true",
);

export interface RecordedConsent {
  /** The session's status under its lock; undefined: no such session. */
  status?: SessionStatus;
  /** The clinic's newest text version (0: the default). */
  currentVersion: number;
  /** The stored answer; undefined when the status or the version refused it (nothing written). */
  answer?: ConsentAnswerRow;
}

export async function recordConsentAnswer(
  db: Executor,
  row: ConsentAnswerRow,
  audit: CarriedAudit,
  allowedStatuses: readonly SessionStatus[],
): Promise<RecordedConsent> {
  const { rows } = await db.executeQuery<
    { status: SessionStatus; current_version: number | null } & {
      [K in keyof ConsentAnswerRow]: ConsentAnswerRow[K] | null;
    }
  >(
    CompiledQuery.raw(recordConsentAnswerText, [
      ...audit.params(),
      row.session_id,
      row.patient_id,
      row.clinic_id,
      row.decision,
      row.text_version,
      row.decided_at,
      allowedStatuses,
    ]),
  );
  const r = rows[0];
  if (!r) return { currentVersion: 0 };
  const recorded: RecordedConsent = { status: r.status, currentVersion: r.current_version ?? 0 };
  if (r.session_id !== null) {
    recorded.answer = {
      session_id: r.session_id,
      patient_id: r.patient_id as string,
      clinic_id: r.clinic_id as string,
      decision: r.decision as ConsentAnswerRow["decision"],
      text_version: r.text_version as number,
      decided_at: r.decided_at as Date,
    };
  }
  return recorded;
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

import { preparedStatement } from "@clinic/platform";
import { CompiledQuery } from "kysely";
import type { Executor } from "../tables.ts";

export interface AuditEntry {
  actor_id: string;
  actor_role: string;
  clinic_id: string | null;
  action: string;
  outcome: "ALLOWED" | "DENIED";
  session_id: string | null;
  appointment_id: string | null;
  request_id: string | null;
  /** Signalling connects only: the client's address. */
  client_address?: string | null;
}

/**
 * The rows of `appendAuditRows`, one array per column: the statement's text is the same for one
 * row or five hundred, so it is a prepared statement on PostgreSQL (parsed and planned once per
 * connection) and nothing is built per call.
 */
const insertAuditText =
  "INSERT INTO audit_log (actor_id, actor_role, clinic_id, action, outcome, session_id, appointment_id, " +
  "request_id, client_address) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], " +
  "$5::text[], $6::text[], $7::text[], $8::text[], $9::text[])";
const insertAuditRows = preparedStatement(insertAuditText);

/**
 * The same insert as the first CTE of another statement (its parameters $1–$9 are
 * `auditColumns`, the statement's own start at $10): a state change's audit rows ride on the
 * change's first statement, one round trip for both, committed (or rolled back) with it.
 * A data-modifying CTE always runs in full, whatever the rest of the statement finds.
 */
export const auditRowsCte = `WITH audit_rows AS (${insertAuditText})`;

/**
 * `auditRowsCte`'s insert as a later CTE of a statement, its rows written only when the CTE
 * `cte` (an earlier data-modifying one, e.g. the change's insert) gave a row: the rows of a
 * change that did not happen are not written, and the statement's other CTEs still decide it.
 * Parameters $1–$9 as `auditRowsCte`.
 */
export const auditRowsWhenCte = (cte: string) =>
  `audit_rows AS (${insertAuditText} WHERE EXISTS (SELECT 1 FROM ${cte}))`;

/** `entries` as the nine column arrays of `appendAuditRows` / `auditRowsCte`. */
export function auditColumns(entries: AuditEntry[]): (string | null)[][] {
  const columns: (string | null)[][] = [[], [], [], [], [], [], [], [], []];
  for (const e of entries) {
    columns[0]!.push(e.actor_id);
    columns[1]!.push(e.actor_role);
    columns[2]!.push(e.clinic_id);
    columns[3]!.push(e.action);
    columns[4]!.push(e.outcome);
    columns[5]!.push(e.session_id);
    columns[6]!.push(e.appointment_id);
    columns[7]!.push(e.request_id);
    columns[8]!.push(e.client_address ?? null);
  }
  return columns;
}

/**
 * The writes to audit_log (the table refuses UPDATE and DELETE itself). Many rows in one
 * statement: one INSERT, so one commit when `db` is not inside a transaction (the group commit
 * of audit-batcher.ts). Every row names every column: a missing optional field is null.
 */
export async function appendAuditRows(db: Executor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.executeQuery(CompiledQuery.raw(insertAuditRows, auditColumns(entries)));
}

/** One row, answering its id (a reference others can be given: a connectivity check's). */
export async function appendAuditReturningId(db: Executor, entry: AuditEntry): Promise<number> {
  const row = await db.insertInto("audit_log").values(entry).returning("id").executeTakeFirstOrThrow();
  return Number(row.id);
}

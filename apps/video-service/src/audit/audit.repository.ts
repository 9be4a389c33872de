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
 * The writes to audit_log (the table refuses UPDATE and DELETE itself). Many rows in one
 * statement: one INSERT, so one commit when `db` is not inside a transaction (the group commit
 * of audit-batcher.ts). Every row names every column: a missing optional field is null.
 */
export async function appendAuditRows(db: Executor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto("audit_log")
    .values(entries.map((e) => ({ ...e, client_address: e.client_address ?? null })))
    .execute();
}

/** One row, answering its id (a reference others can be given: a connectivity check's). */
export async function appendAuditReturningId(db: Executor, entry: AuditEntry): Promise<number> {
  const row = await db.insertInto("audit_log").values(entry).returning("id").executeTakeFirstOrThrow();
  return Number(row.id);
}

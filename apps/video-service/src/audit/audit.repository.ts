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

/** The only write to audit_log; the table refuses UPDATE and DELETE itself. */
export async function appendAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db.insertInto("audit_log").values(entry).execute();
}

/** As appendAudit, answering the row's id (a reference others can be given: a connectivity check's). */
export async function appendAuditReturningId(db: Executor, entry: AuditEntry): Promise<number> {
  const row = await db.insertInto("audit_log").values(entry).returning("id").executeTakeFirstOrThrow();
  return Number(row.id);
}

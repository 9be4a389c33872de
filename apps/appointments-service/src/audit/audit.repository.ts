import type { Insertable, Kysely, Transaction } from "kysely";
import type { AppointmentsTables } from "../database.ts";

export type AuditEntry = Insertable<AppointmentsTables["appointment_audit"]>;

/** The only write to appointment_audit; the table refuses UPDATE and DELETE itself. */
export async function appendAudit(
  db: Kysely<AppointmentsTables> | Transaction<AppointmentsTables>,
  entry: AuditEntry,
): Promise<void> {
  await db.insertInto("appointment_audit").values(entry).execute();
}

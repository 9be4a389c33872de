import type { Insertable, Kysely, Transaction } from "kysely";
import type { AuthTables } from "../database.ts";

export type UserAuditEntry = Insertable<AuthTables["user_audit"]>;

/** The only write to user_audit; the table refuses UPDATE and DELETE itself. */
export async function appendUserAudit(
  db: Kysely<AuthTables> | Transaction<AuthTables>,
  entry: UserAuditEntry,
): Promise<void> {
  await db.insertInto("user_audit").values(entry).execute();
}

import type { Database } from "../db.ts";
import { openDatabase } from "../db.ts";
import { type OutboxTables, outboxDdl } from "./outbox.ts";

/** An in-memory database with the outbox/inbox DDL documented in outbox.ts (platform tests only). */
export const openOutboxDatabase = () => openDatabase<OutboxTables>({ service: "outbox-test", dataDir: ":memory:" });

export async function migrateOutbox(database: Database<OutboxTables>): Promise<void> {
  await database.runScript(outboxDdl);
}

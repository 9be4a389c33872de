import type { Database } from "../db.ts";
import { openDatabase } from "../db.ts";
import type { OutboxTables } from "./outbox.ts";

/** An in-memory database with the outbox/inbox DDL documented in outbox.ts (platform tests only). */
export const openOutboxDatabase = () => openDatabase<OutboxTables>({ service: "outbox-test", dataDir: ":memory:" });

export async function migrateOutbox(database: Database<OutboxTables>): Promise<void> {
  await database.runScript(`
    CREATE TABLE outbox (id bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, type text NOT NULL,
      payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz,
      attempts int NOT NULL DEFAULT 0, last_error text);
    CREATE TABLE inbox (event_id uuid NOT NULL, consumer text NOT NULL, type text NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (event_id, consumer));`);
}

import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Database, type DatabaseOptions, openDatabase } from "../db.ts";
import { captureLogs, testDatabase } from "../testing/index.ts";
import { createEventRetention, purgeDeliveredEvents } from "./event-retention.ts";
import { type OutboxTables, outboxDdl } from "./outbox.ts";

// Runs on PGlite, and on real PostgreSQL too when DATABASE_URL is set (CI).
const targets = [
  { label: "PGlite", postgres: false },
  ...(process.env.DATABASE_URL ? [{ label: "PostgreSQL", postgres: true }] : []),
];
const day = 24 * 60 * 60_000;

describe.each(targets)("event retention on $label", ({ postgres }) => {
  const target = postgres
    ? testDatabase("platform-retention")
    : { options: { service: "retention-test", dataDir: ":memory:" } as DatabaseOptions, drop: async () => undefined };
  let database: Database<OutboxTables>;
  beforeAll(async () => {
    database = await openDatabase<OutboxTables>(target.options);
    await database.runScript(outboxDdl);
  });
  afterEach(async () => {
    await database.runScript("DELETE FROM outbox; DELETE FROM inbox;");
  });
  afterAll(async () => {
    await database?.runScript("DROP TABLE IF EXISTS leftovers;");
    await database?.close();
    await target.drop();
  });

  const now = new Date("2026-12-20T12:00:00Z");
  const ago = (days: number) => new Date(now.getTime() - days * day);
  const outboxRow = async (label: string, fields: { sent_at?: Date; parked_at?: Date; created_at: Date }) => {
    await database.db
      .insertInto("outbox")
      .values({
        event_id: randomUUID(),
        type: label,
        payload: JSON.stringify({ data: { patient_name: "Ada Lovelace" } }),
        ...fields,
      })
      .execute();
  };
  const inboxRow = async (label: string, processedAt: Date) => {
    await database.db
      .insertInto("inbox")
      .values({ event_id: randomUUID(), consumer: label, type: "thing.happened", processed_at: processedAt })
      .execute();
  };
  const left = async () => ({
    outbox: (await database.db.selectFrom("outbox").select("type").orderBy("type").execute()).map((r) => r.type),
    inbox: (await database.db.selectFrom("inbox").select("consumer").orderBy("consumer").execute()).map(
      (r) => r.consumer,
    ),
  });

  it("purges only sent outbox rows and processed inbox rows older than the retention period", async () => {
    await outboxRow("sent-8-days-ago", { created_at: ago(8), sent_at: ago(8) });
    await outboxRow("sent-6-days-ago", { created_at: ago(30), sent_at: ago(6) });
    await outboxRow("unsent-30-days", { created_at: ago(30) });
    await outboxRow("parked-30-days", { created_at: ago(30), parked_at: ago(29) });
    await inboxRow("processed-8-days-ago", ago(8));
    await inboxRow("processed-6-days-ago", ago(6));
    const logs = captureLogs();
    const retention = createEventRetention({
      db: database.db,
      retentionDays: 7,
      logger: pino({ level: "info" }, logs.stream),
      now: () => now,
    });

    expect(await retention.run()).toBe(2);
    expect(await left()).toEqual({
      outbox: ["parked-30-days", "sent-6-days-ago", "unsent-30-days"],
      inbox: ["processed-6-days-ago"],
    });
    // Counts only: never an event, its id or its data.
    const [line] = logs.lines.map((l) => JSON.parse(l));
    expect(line).toMatchObject({ outboxDeleted: 1, inboxDeleted: 1, retentionDays: 7 });
    expect(logs.text()).not.toContain("Ada");
    expect(await retention.run()).toBe(0);
    expect(logs.lines).toHaveLength(1);
    await retention.stop();
  });

  it("purges the service's own rows (`purges`) with the same cut-off, and logs their count by name", async () => {
    await database.runScript(
      "CREATE TABLE IF NOT EXISTS leftovers (label text PRIMARY KEY, recorded_at timestamptz NOT NULL); DELETE FROM leftovers;",
    );
    const leftovers = database.db as unknown as Kysely<{ leftovers: { label: string; recorded_at: Date } }>;
    await leftovers
      .insertInto("leftovers")
      .values([
        { label: "8-days-old", recorded_at: ago(8) },
        { label: "6-days-old", recorded_at: ago(6) },
      ])
      .execute();
    await inboxRow("processed-8-days-ago", ago(8));
    const logs = captureLogs();
    const retention = createEventRetention({
      db: database.db,
      retentionDays: 7,
      logger: pino({ level: "info" }, logs.stream),
      now: () => now,
      purges: {
        leftovers: async (before) =>
          Number(
            (await leftovers.deleteFrom("leftovers").where("recorded_at", "<", before).executeTakeFirst())
              .numDeletedRows,
          ),
      },
    });
    expect(await retention.run()).toBe(2);
    expect((await leftovers.selectFrom("leftovers").select("label").execute()).map((r) => r.label)).toEqual([
      "6-days-old",
    ]);
    expect(logs.lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ outboxDeleted: 0, inboxDeleted: 1, leftoversDeleted: 1, retentionDays: 7 }),
    ]);
    expect(await retention.run()).toBe(0);
    await retention.stop();
  });

  it("deletes in bounded batches: a call stops after maxBatches statements, the next goes on", async () => {
    await sql`INSERT INTO outbox (event_id, type, payload, created_at, sent_at)
      SELECT gen_random_uuid(), 'old', '{}'::jsonb, ${ago(10)}, ${ago(10)} FROM generate_series(1, 2500)`.execute(
      database.db,
    );
    await sql`INSERT INTO inbox (event_id, consumer, type, processed_at)
      SELECT gen_random_uuid(), 'c', 't', ${ago(10)} FROM generate_series(1, 1200)`.execute(database.db);
    expect(await purgeDeliveredEvents(database.db, { before: ago(7), batchSize: 1000, maxBatches: 2 })).toEqual({
      outbox: 2000,
      inbox: 1200,
    });
    expect(await purgeDeliveredEvents(database.db, { before: ago(7), batchSize: 1000, maxBatches: 2 })).toEqual({
      outbox: 500,
      inbox: 0,
    });
    expect(await left()).toEqual({ outbox: [], inbox: [] });
  });
});

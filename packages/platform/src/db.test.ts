import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, migrate, openDatabase, withTransaction } from "./db.ts";
import { testDatabase } from "./testing/index.ts";

const migrations = fileURLToPath(new URL("./test-fixtures/migrations", import.meta.url));
interface Tables {
  widgets: { id: import("kysely").Generated<number>; name: string; size: import("kysely").Generated<number> };
}

// Runs on PGlite, and on real PostgreSQL too when DATABASE_URL is set (CI).
const targets = [
  { label: "PGlite", options: { service: "platform-db", dataDir: ":memory:" as const } },
  ...(process.env.DATABASE_URL ? [{ label: "PostgreSQL", options: undefined }] : []),
];

describe.each(targets)("database on $label", ({ options }) => {
  let database: Database<Tables>;
  let drop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const target = options ? { options, drop } : testDatabase("platform-db");
    drop = target.drop;
    database = await openDatabase<Tables>(target.options);
  });
  afterAll(async () => {
    await database.close();
    await drop();
  });

  it("applies SQL migrations in order, once, including multi-statement files with functions", async () => {
    expect(await migrate(database, migrations)).toEqual(["2026-11-25-001-widgets", "2026-11-25-002-widgets-size"]);
    expect(await migrate(database, migrations)).toEqual([]);
    await database.db.insertInto("widgets").values({ name: "lamp" }).execute();
    const row = await database.db.selectFrom("widgets").selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: "LAMP", size: 1 });
  });

  it("rolls a transaction back when its function throws", async () => {
    await expect(
      withTransaction(database.db, async (trx) => {
        await trx.insertInto("widgets").values({ name: "chair" }).execute();
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const n = await database.db
      .selectFrom("widgets")
      .select(sql<number>`count(*)`.as("n"))
      .where("name", "=", "CHAIR")
      .executeTakeFirstOrThrow();
    expect(n.n).toBe(0);
  });

  it("answers ping", async () => {
    await expect(database.ping()).resolves.toBeUndefined();
  });
});

describe("a separate owner role (DATABASE_OWNER_URL)", () => {
  it("is refused without DATABASE_URL: embedded PGlite has a single user", async () => {
    await expect(
      openDatabase({ service: "platform-db", dataDir: ":memory:", ownerUrl: "postgres://owner@127.0.0.1:5432/x" }),
    ).rejects.toThrow(/DATABASE_OWNER_URL needs DATABASE_URL/);
  });
});

// PostgreSQL only: PGlite has one connection of its own and no such settings.
describe.skipIf(!process.env.DATABASE_URL)("connection timeouts on PostgreSQL", () => {
  const opened: { database: Database<Tables>; drop: () => Promise<void> }[] = [];
  const open = async (timeouts: { statementTimeoutMs?: number; idleInTransactionTimeoutMs?: number } = {}) => {
    const target = testDatabase("platform-db");
    const database = await openDatabase<Tables>({ ...target.options, poolSize: 2, ...timeouts });
    opened.push({ database, drop: target.drop });
    return database;
  };
  const show = async (database: Database<Tables>, setting: string) => {
    const { rows } = await sql<Record<string, string>>`SHOW ${sql.raw(setting)}`.execute(database.db);
    return rows[0]?.[setting];
  };
  afterAll(async () => {
    for (const { database, drop } of opened) {
      await database.close();
      await drop();
    }
  });

  it("every pooled connection has statement_timeout 15 s and idle_in_transaction_session_timeout 30 s by default", async () => {
    const database = await open();
    expect(await show(database, "statement_timeout")).toBe("15s");
    expect(await show(database, "idle_in_transaction_session_timeout")).toBe("30s");
    // Inside a transaction too (the connection's setting, not a per-query one).
    const inside = await withTransaction(database.db, async (trx) => {
      const { rows } = await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(trx);
      return rows[0]?.statement_timeout;
    });
    expect(inside).toBe("15s");
  });

  it("takes the configured values (DB_STATEMENT_TIMEOUT_MS / DB_IDLE_IN_TRANSACTION_TIMEOUT_MS)", async () => {
    const database = await open({ statementTimeoutMs: 1234, idleInTransactionTimeoutMs: 2345 });
    expect(await show(database, "statement_timeout")).toBe("1234ms");
    expect(await show(database, "idle_in_transaction_session_timeout")).toBe("2345ms");
  });

  it("cancels a statement that runs too long, and the pool goes on answering", async () => {
    const database = await open({ statementTimeoutMs: 100 });
    await expect(sql`SELECT pg_sleep(5)`.execute(database.db)).rejects.toMatchObject({ code: "57014" });
    await expect(database.ping()).resolves.toBeUndefined();
  });

  it("ends a transaction left idle too long, releasing its locks, and the pool goes on answering", async () => {
    const database = await open({ idleInTransactionTimeoutMs: 100 });
    await migrate(database, migrations);
    await expect(
      withTransaction(database.db, async (trx) => {
        await trx.insertInto("widgets").values({ name: "held" }).execute();
        // The code waits on something else with the transaction open: the server gives up on it.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await trx.selectFrom("widgets").selectAll().execute();
      }),
    ).rejects.toThrow();
    const held = await database.db.selectFrom("widgets").selectAll().where("name", "=", "HELD").execute();
    expect(held).toEqual([]);
    await expect(database.ping()).resolves.toBeUndefined();
  });

  it("runs migrations and scripts without the statement timeout", async () => {
    const database = await open({ statementTimeoutMs: 100 });
    await expect(database.runScript("SELECT pg_sleep(0.3);")).resolves.toBeUndefined();
  });
});

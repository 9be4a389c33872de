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

import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Database,
  EMBEDDED_SHARED_BUFFERS,
  type EmbeddedDatabase,
  migrate,
  openDatabase,
  openEmbeddedDatabase,
  withTransaction,
} from "./db.ts";
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

// A service alone on PGlite (no DATABASE_URL) gets the same small pool as the shared one.
describe("a service alone on PGlite", () => {
  it("runs with 32MB of shared buffers", async () => {
    const alone = await openDatabase<Tables>({ service: "platform-db", dataDir: ":memory:" });
    try {
      const row = (await sql<{ v: string }>`SELECT current_setting('shared_buffers') AS v`.execute(alone.db)).rows[0];
      expect(row?.v).toBe(EMBEDDED_SHARED_BUFFERS);
    } finally {
      await alone.close();
    }
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

// `npm start`: one embedded PGlite for every service of the process, a schema each.
describe("the shared embedded database (a schema per service)", () => {
  let embedded: EmbeddedDatabase;
  let a: Database<Tables>;
  let b: Database<Tables>;
  beforeAll(async () => {
    embedded = await openEmbeddedDatabase(":memory:");
    a = await openDatabase<Tables>({ service: "service-a", embedded });
    b = await openDatabase<Tables>({ service: "service-b", embedded });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await embedded.close();
  });
  const names = async (database: Database<Tables>) =>
    (await database.db.selectFrom("widgets").select("name").orderBy("name").execute()).map((r) => r.name);

  it("migrates each service in its own schema, each once", async () => {
    expect(await migrate(a, migrations)).toEqual(["2026-11-25-001-widgets", "2026-11-25-002-widgets-size"]);
    expect(await migrate(b, migrations)).toEqual(["2026-11-25-001-widgets", "2026-11-25-002-widgets-size"]);
    expect(await migrate(a, migrations)).toEqual([]);
    const schemas = await sql<{ schema: string }>`
      SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'widgets' ORDER BY 1`.execute(
      a.db,
    );
    expect(schemas.rows.map((r) => r.schema)).toEqual(["service_a", "service_b"]);
  });

  it("keeps tables of the same name apart, raw sql included", async () => {
    await a.db.insertInto("widgets").values({ name: "a-lamp" }).execute();
    await sql`INSERT INTO widgets (name) VALUES ('a-raw')`.execute(a.db);
    await b.db.insertInto("widgets").values({ name: "b-chair" }).execute();
    expect(await names(a)).toEqual(["A-LAMP", "A-RAW"]);
    expect(await names(b)).toEqual(["B-CHAIR"]);
    expect((await sql<{ s: string }>`SELECT current_schema() AS s`.execute(b.db)).rows[0]?.s).toBe("service_b");
  });

  it("routes every one of many interleaved queries of two services to its own schema", async () => {
    // Each query sets its service's search_path before it runs: without one lock around both,
    // the other service's setting lands in between and rows go to the wrong table.
    const writes = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? a.db
            .insertInto("widgets")
            .values({ name: `a-many-${i}` })
            .execute()
        : sql`INSERT INTO widgets (name) VALUES (${`b-many-${i}`})`.execute(b.db),
    );
    await Promise.all(writes);
    expect((await names(a)).filter((n) => n.startsWith("B-"))).toEqual([]);
    expect((await names(b)).filter((n) => n.startsWith("A-"))).toEqual([]);
    expect((await names(a)).filter((n) => n.startsWith("A-MANY")).length).toBe(20);
    expect((await names(b)).filter((n) => n.startsWith("B-MANY")).length).toBe(20);
  });

  it("never runs another service's query inside a transaction, nor a transaction in another's schema", async () => {
    const order: string[] = [];
    let inside!: () => void;
    const started = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const transaction = withTransaction(a.db, async (trx) => {
      await trx.insertInto("widgets").values({ name: "a-tx-1" }).execute();
      inside();
      // Another service's work arrives while this transaction is open and waiting.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await sql`INSERT INTO widgets (name) VALUES ('a-tx-2')`.execute(trx);
      order.push("a rolls back");
      throw new Error("roll back");
    });
    await started;
    const other = (async () => {
      await b.db.insertInto("widgets").values({ name: "b-during" }).execute();
      order.push("b wrote");
    })();
    await expect(transaction).rejects.toThrow("roll back");
    await other;
    // B waited for the whole transaction, and its row survived A's rollback.
    expect(order).toEqual(["a rolls back", "b wrote"]);
    expect((await names(a)).filter((n) => n.startsWith("A-TX"))).toEqual([]);
    expect(await names(b)).toContain("B-DURING");
    expect((await names(b)).filter((n) => n.startsWith("A-"))).toEqual([]);
  });

  it("keeps a 32MB shared buffer pool, durability settings as PGlite's (128MB would be resident from the start)", async () => {
    const setting = async (name: string) =>
      (await sql<{ v: string }>`SELECT current_setting(${name}) AS v`.execute(a.db)).rows[0]?.v;
    expect(EMBEDDED_SHARED_BUFFERS).toBe("32MB");
    expect(await setting("shared_buffers")).toBe("32MB");
    expect(await setting("synchronous_commit")).toBe("on");
    expect(await setting("full_page_writes")).toBe("on");
  });

  it("answers ping and runs scripts in the service's schema", async () => {
    await expect(b.ping()).resolves.toBeUndefined();
    await b.runScript("INSERT INTO widgets (name) VALUES ('b-script');");
    expect(await names(b)).toContain("B-SCRIPT");
    expect(await names(a)).not.toContain("B-SCRIPT");
  });
});

// On disk, each PGlite's first start (initdb) takes seconds, more on a busy machine.
describe("a service's former database folder of its own (before one shared database)", { timeout: 240_000 }, () => {
  let dataDir: string;
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  /** `<dataDir>/<service>` as the stack kept it before: the first migration only (an older version), and rows. */
  async function formerFolder(service: string, names: string[]) {
    const older = join(dataDir, "older-migrations");
    mkdirSync(older, { recursive: true });
    cpSync(join(migrations, "2026-11-25-001-widgets.sql"), join(older, "2026-11-25-001-widgets.sql"));
    const former = await openDatabase<{ widgets: { id: import("kysely").Generated<number>; name: string } }>({
      service,
      dataDir,
    });
    await migrate(former, older);
    for (const name of names) await former.db.insertInto("widgets").values({ name }).execute();
    await former.close();
  }

  it("is moved into the service's schema once, exactly, and kept as a backup", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "platform-db-legacy-"));
    await formerFolder("service-a", ["one", "two", "three"]);
    const embedded = await openEmbeddedDatabase(dataDir);
    const a = await openDatabase<Tables>({ service: "service-a", embedded });
    const b = await openDatabase<Tables>({ service: "service-b", embedded });
    try {
      // Brought to the current version, moved, and nothing left to apply.
      expect(await migrate(a, migrations)).toEqual([]);
      expect(await migrate(b, migrations)).toHaveLength(2);
      const rows = await a.db.selectFrom("widgets").select(["id", "name", "size"]).orderBy("id").execute();
      expect(rows).toEqual([
        { id: 1, name: "ONE", size: 1 },
        { id: 2, name: "TWO", size: 1 },
        { id: 3, name: "THREE", size: 1 },
      ]);
      // The sequence carried over: the next row does not collide with a moved one.
      const next = await a.db.insertInto("widgets").values({ name: "four" }).returning("id").executeTakeFirstOrThrow();
      expect(next.id).toBe(4);
      expect(await b.db.selectFrom("widgets").selectAll().execute()).toEqual([]);
      expect(embedded.imported).toEqual([
        { service: "service-a", schema: "service_a", rows: 5, backup: join(dataDir, "legacy-backup", "service-a") },
      ]);
      expect(existsSync(join(dataDir, "service-a"))).toBe(false);
      expect(existsSync(join(dataDir, "legacy-backup", "service-a", "PG_VERSION"))).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await embedded.close();
    }
    // The next start finds everything in place and moves nothing.
    const again = await openEmbeddedDatabase(dataDir);
    const a2 = await openDatabase<Tables>({ service: "service-a", embedded: again });
    try {
      expect(await migrate(a2, migrations)).toEqual([]);
      expect(again.imported).toEqual([]);
      expect(await a2.db.selectFrom("widgets").select("name").orderBy("id").execute()).toHaveLength(4);
    } finally {
      await a2.close();
      await again.close();
    }
  });

  it("is left as it is when the shared database already has the service's schema", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "platform-db-legacy-"));
    const first = await openEmbeddedDatabase(dataDir);
    const a = await openDatabase<Tables>({ service: "service-a", embedded: first });
    await migrate(a, migrations);
    await a.db.insertInto("widgets").values({ name: "current" }).execute();
    await a.close();
    await first.close();
    // A folder of its own appears later (the service run alone): never merged over the schema.
    await formerFolder("service-a", ["stale"]);
    const second = await openEmbeddedDatabase(dataDir);
    const again = await openDatabase<Tables>({ service: "service-a", embedded: second });
    try {
      expect(await migrate(again, migrations)).toEqual([]);
      expect((await again.db.selectFrom("widgets").select("name").execute()).map((r) => r.name)).toEqual(["CURRENT"]);
      expect(second.imported).toEqual([]);
      expect(existsSync(join(dataDir, "service-a", "PG_VERSION"))).toBe(true);
    } finally {
      await again.close();
      await second.close();
    }
  });
});

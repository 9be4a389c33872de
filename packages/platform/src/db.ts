import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PGliteDialect, PostgresDialect, type Transaction } from "kysely";
import pg from "pg";
import type { Logger } from "pino";

/**
 * One database per service. `DATABASE_URL` set → a pg pool on real PostgreSQL; unset →
 * embedded PGlite under `<dataDir>/<service>` (a single connection; Kysely's PGlite driver
 * serialises queries and transactions on it). The choice is made here and nowhere else.
 */
export interface Database<DB> {
  readonly db: Kysely<DB>;
  readonly kind: "postgres" | "pglite";
  /** Throws when the database cannot answer (used by /health). */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Runs a multi-statement SQL script inside one transaction (migrations, test setup). */
  runScript(script: string): Promise<void>;
}

export interface DatabaseOptions {
  service: string;
  /** PostgreSQL URL; undefined → PGlite. */
  url?: string | undefined;
  /** Folder for PGlite files; ":memory:" keeps everything in memory (tests). */
  dataDir?: string;
  /** PostgreSQL schema to use (created if missing); lets tests share one database. */
  schema?: string;
  poolSize?: number;
  logger?: Logger;
}

const int8AsNumber = (oid: number, format?: "text" | "binary") =>
  // Counts and sums come back as int8; they stay far below 2^53 here, so numbers are safe.
  oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text");

export async function openDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  if (options.url) return openPostgres<DB>(options.url, options);
  return openPglite<DB>(options);
}

async function openPostgres<DB>(url: string, options: DatabaseOptions): Promise<Database<DB>> {
  const schema = options.schema;
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    types: { getTypeParser: int8AsNumber } as pg.CustomTypesConfig,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A dropped connection (server restart, pg_terminate_backend) must not crash the process;
  // the pool replaces the client and the next query reports the error to its caller.
  pool.on("error", (err) => options.logger?.warn({ err: err.message }, "idle database connection lost"));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: "postgres",
    ping: async () => {
      await pool.query("SELECT 1");
    },
    close: () => db.destroy(),
    runScript: async (script) => {
      const client = await pool.connect();
      try {
        await client.query(`BEGIN;\n${script}\nCOMMIT;`);
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

async function openPglite<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  const dataDir = options.dataDir ?? ".data";
  let pglite: PGlite;
  if (dataDir === ":memory:") {
    pglite = await PGlite.create();
  } else {
    const dir = join(dataDir, options.service);
    mkdirSync(dir, { recursive: true });
    pglite = await PGlite.create(dir);
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: "pglite",
    ping: async () => {
      await pglite.query("SELECT 1");
    },
    close: () => db.destroy(),
    runScript: async (script) => {
      await pglite.transaction(async (tx) => {
        await tx.exec(script);
      });
    },
  };
}

/**
 * Applies `*.sql` files from `dir` in name order (names are date-prefixed), each once,
 * recorded in `schema_migrations`. On PostgreSQL an advisory lock makes concurrent
 * replicas wait for each other instead of applying a file twice.
 */
export async function migrate<DB>(database: Database<DB>, dir: string, logger?: Logger): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  const lock = database.kind === "postgres" ? "SELECT pg_advisory_xact_lock(727274);" : "";
  await database.runScript(
    `${lock}\nCREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());`,
  );
  const applied: string[] = [];
  for (const file of files) {
    const version = file.replace(/\.sql$/, "");
    const escaped = version.replace(/'/g, "''");
    // The guard inside the script re-checks under the lock, so a replica that lost the race
    // skips the file instead of failing on it.
    const body = readFileSync(join(dir, file), "utf8");
    const done = await isApplied(database, version);
    if (done) continue;
    await database
      .runScript(
        `${lock}
       DO $$ BEGIN
         IF EXISTS (SELECT 1 FROM schema_migrations WHERE version = '${escaped}') THEN
           RAISE EXCEPTION 'migration_already_applied';
         END IF;
       END $$;
       ${body}
       INSERT INTO schema_migrations (version) VALUES ('${escaped}');`,
      )
      .catch((err: Error) => {
        if (!String(err.message).includes("migration_already_applied")) throw err;
      });
    applied.push(version);
    logger?.info({ migration: version }, "migration applied");
  }
  return applied;
}

async function isApplied<DB>(database: Database<DB>, version: string): Promise<boolean> {
  const rows = await (database.db as unknown as Kysely<{ schema_migrations: { version: string } }>)
    .selectFrom("schema_migrations")
    .select("version")
    .where("version", "=", version)
    .execute();
  return rows.length > 0;
}

/** The one transaction helper: commits when `fn` resolves, rolls back when it throws. */
export function withTransaction<DB, T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}

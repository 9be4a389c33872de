import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PGliteDialect, PostgresDialect, sql, type Transaction } from "kysely";
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
  /**
   * Runs `fn` on a connection as the schema's owner (`ownerUrl`, for migrations), closed
   * afterwards; without a separate owner, on this database itself.
   */
  withOwner<T>(fn: (owner: Database<DB>) => Promise<T>): Promise<T>;
}

export interface DatabaseOptions {
  service: string;
  /** PostgreSQL URL; undefined → PGlite. */
  url?: string | undefined;
  /**
   * PostgreSQL URL of the role that owns the schema and runs the migrations
   * (DATABASE_OWNER_URL), the same database as `url`. Then `url`'s role only gets the
   * privileges the migrations grant it (see `migrate`); undefined → `url`'s role does both.
   */
  ownerUrl?: string | undefined;
  /** Folder for PGlite files; ":memory:" keeps everything in memory (tests). */
  dataDir?: string;
  /** PostgreSQL schema to use (created if missing); lets tests share one database. */
  schema?: string;
  poolSize?: number;
  /**
   * PostgreSQL `statement_timeout` of every pooled connection, ms: a statement running longer
   * is cancelled (the caller gets the error, the connection goes back to the pool). Default
   * 15 000; 0 = none. Migrations and `runScript` run without it. PGlite has no such setting.
   */
  statementTimeoutMs?: number;
  /**
   * PostgreSQL `idle_in_transaction_session_timeout`, ms: a connection left idle inside an open
   * transaction this long (code waiting on something else while holding locks) is closed by the
   * server and its locks released. Default 30 000; 0 = none. PostgreSQL only.
   */
  idleInTransactionTimeoutMs?: number;
  logger?: Logger;
}

/** The defaults of `statementTimeoutMs` / `idleInTransactionTimeoutMs` (config.ts `commonConfig` repeats them). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;

const int8AsNumber = (oid: number, format?: "text" | "binary") =>
  // Counts and sums come back as int8; they stay far below 2^53 here, so numbers are safe.
  oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text");

export async function openDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  if (options.url) return openPostgres<DB>(options.url, options);
  // PGlite has a single user: there is no second role to hand the schema to.
  if (options.ownerUrl) throw new Error("DATABASE_OWNER_URL needs DATABASE_URL (the runtime role) as well");
  return openPglite<DB>(options);
}

async function openPostgres<DB>(url: string, options: DatabaseOptions): Promise<Database<DB>> {
  const schema = options.schema;
  if (schema) {
    // Created by the owner; looked up first because CREATE SCHEMA IF NOT EXISTS still needs
    // the CREATE privilege on the database, which a runtime role does not have.
    const admin = new pg.Client({ connectionString: options.ownerUrl ?? url });
    await admin.connect();
    try {
      const found = await admin.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
      if (found.rowCount === 0) await admin.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
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
    // Startup parameters of each connection: no query, and no transaction left open by a
    // process that went on to wait for something else, holds a connection and its locks for
    // ever. pg sends neither when 0: the server's own setting (normally none) applies.
    statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  });
  // A dropped connection (server restart, pg_terminate_backend) must not crash the process;
  // the pool replaces the client and the next query reports the error to its caller.
  pool.on("error", (err) => options.logger?.warn({ err }, "idle database connection lost"));
  // The same for a connection in use: the server ends one whose transaction sat idle past
  // idle_in_transaction_session_timeout while its holder waited on something else. Unheard,
  // that 'error' event would end the process; the holder's next query fails instead, and the
  // pool discards the connection when it is released.
  pool.on("connect", (client) => {
    client.on("error", (err) => options.logger?.warn({ err }, "database connection in use lost"));
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const database: Database<DB> = {
    db,
    kind: "postgres",
    ping: async () => {
      await pool.query("SELECT 1");
    },
    close: () => db.destroy(),
    runScript: async (script) => {
      const client = await pool.connect();
      try {
        // Migrations may build an index on a large table or wait for another replica's
        // migration lock: not cancelled after DB_STATEMENT_TIMEOUT_MS.
        await client.query(`BEGIN;\nSET LOCAL statement_timeout = 0;\n${script}\nCOMMIT;`);
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    withOwner: async (fn) => {
      if (!options.ownerUrl) return fn(database);
      const { ownerUrl, ...rest } = options;
      const owner = await openPostgres<DB>(ownerUrl, { ...rest, poolSize: 1 });
      try {
        return await fn(owner);
      } finally {
        await owner.close();
      }
    },
  };
  return database;
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
  const database: Database<DB> = {
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
    withOwner: (fn) => fn(database),
  };
  return database;
}

export interface MigrateOptions {
  /**
   * Tables the runtime role may only read and add rows to (audit logs): with a separate
   * owner it is granted SELECT and INSERT on them, never UPDATE or DELETE.
   */
  appendOnly?: readonly string[];
}

/**
 * Applies `*.sql` files from `dir` in name order (names are date-prefixed), each once,
 * recorded in `schema_migrations`. On PostgreSQL an advisory lock makes concurrent
 * replicas wait for each other instead of applying a file twice.
 *
 * Migrations run as the schema's owner (`ownerUrl`, DATABASE_OWNER_URL) when there is one;
 * then, on every start, the runtime role (DATABASE_URL's) is granted exactly what the
 * service needs: DML on its tables, SELECT and INSERT on `appendOnly` ones, SELECT on
 * schema_migrations, and the same by default on tables the owner creates later. Owning
 * nothing, it can neither drop nor disable the append-only triggers, nor drop a table.
 */
export async function migrate<DB>(
  database: Database<DB>,
  dir: string,
  logger?: Logger,
  options: MigrateOptions = {},
): Promise<string[]> {
  return database.withOwner(async (owner) => {
    const roles = await separateRoles(database, owner);
    if (roles) await refuseRuntimeOwnership(owner, roles);
    const applied = await applyMigrations(owner, dir, logger);
    if (roles) {
      await grantRuntimePrivileges(owner, roles, options.appendOnly ?? []);
      logger?.info({ owner: roles.owner, runtime: roles.runtime, schema: roles.schema }, "database privileges granted");
    }
    return applied;
  });
}

const migrationLock = (kind: "postgres" | "pglite") =>
  kind === "postgres" ? "SELECT pg_advisory_xact_lock(727274);" : "";

async function applyMigrations<DB>(database: Database<DB>, dir: string, logger?: Logger): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  const lock = migrationLock(database.kind);
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

interface Roles {
  /** DATABASE_URL's role: the service's queries. */
  runtime: string;
  /** DATABASE_OWNER_URL's role: owns the schema and everything in it. */
  owner: string;
  schema: string;
}

/** The two roles, when there are two (PostgreSQL with a separate owner that is another role). */
async function separateRoles<DB>(database: Database<DB>, owner: Database<DB>): Promise<Roles | undefined> {
  if (database.kind !== "postgres" || owner === database) return undefined;
  const who = sql<{ role: string; database: string; superuser: boolean; schema: string | null }>`
    SELECT current_user AS role, current_database() AS database, current_schema() AS schema,
           (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`;
  const [runtime] = (await who.execute(database.db)).rows;
  const [own] = (await who.execute(owner.db)).rows;
  if (!runtime || !own) throw new Error("cannot tell the database roles apart");
  if (!own.schema) throw new Error(`DATABASE_OWNER_URL's role ${own.role} has no schema to use (USAGE, search_path)`);
  if (runtime.database !== own.database) {
    throw new Error(
      `DATABASE_OWNER_URL names database ${own.database} and DATABASE_URL ${runtime.database}: they must be the same`,
    );
  }
  if (runtime.role === own.role) return undefined;
  if (runtime.superuser) {
    throw new Error(
      `DATABASE_URL connects as ${runtime.role}, a superuser: with DATABASE_OWNER_URL it must be a role that owns nothing (docs/operations.md, "Database roles")`,
    );
  }
  return { runtime: runtime.role, owner: own.role, schema: own.schema };
}

/**
 * The runtime role must own nothing here (nor be a member of a role that does): an owner
 * may drop or disable the audit tables' triggers. A database once run with one role has
 * its tables handed over first: REASSIGN OWNED BY <runtime> TO <owner>.
 */
async function refuseRuntimeOwnership<DB>(owner: Database<DB>, { runtime, schema }: Roles): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    SELECT 'schema ' || n.nspname AS name FROM pg_namespace n
      WHERE n.nspname = ${schema} AND pg_has_role(${runtime}, n.nspowner, 'MEMBER')
    UNION ALL
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${schema} AND pg_has_role(${runtime}, c.relowner, 'MEMBER')
    ORDER BY 1 LIMIT 5`.execute(owner.db);
  if (rows.length === 0) return;
  throw new Error(
    `DATABASE_URL's role ${runtime} owns ${rows.map((r) => r.name).join(", ")} in schema ${schema}; ` +
      `hand them to the owner role first (REASSIGN OWNED BY ..., docs/operations.md, "Database roles")`,
  );
}

/** Idempotent, so it is run on every start: a role renamed or a table added is covered. */
async function grantRuntimePrivileges<DB>(
  owner: Database<DB>,
  { runtime, schema }: Roles,
  appendOnly: readonly string[],
): Promise<void> {
  const role = pg.escapeIdentifier(runtime);
  const ns = pg.escapeIdentifier(schema);
  const table = (name: string) => `${ns}.${pg.escapeIdentifier(name)}`;
  for (const name of appendOnly) {
    const found = sql<{ found: string | null }>`SELECT to_regclass(${table(name)})::text AS found`;
    const { rows } = await found.execute(owner.db);
    if (!rows[0]?.found) throw new Error(`append-only table ${name} does not exist in schema ${schema}`);
  }
  await owner.runScript(`${migrationLock(owner.kind)}
    GRANT USAGE ON SCHEMA ${ns} TO ${role};
    REVOKE CREATE ON SCHEMA ${ns} FROM ${role};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${ns} TO ${role};
    REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA ${ns} FROM ${role};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${ns} TO ${role};
    REVOKE INSERT, UPDATE, DELETE ON ${table("schema_migrations")} FROM ${role};
    ${appendOnly.map((name) => `REVOKE UPDATE, DELETE ON ${table(name)} FROM ${role};`).join("\n    ")}
    ALTER DEFAULT PRIVILEGES IN SCHEMA ${ns} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role};
    ALTER DEFAULT PRIVILEGES IN SCHEMA ${ns} GRANT USAGE, SELECT ON SEQUENCES TO ${role};`);
}

/** The one transaction helper: commits when `fn` resolves, rolls back when it throws. */
export function withTransaction<DB, T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}

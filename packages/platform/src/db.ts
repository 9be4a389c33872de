import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import {
  type CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PGliteAdapter,
  PGliteDialect,
  PGliteDriver,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type Transaction,
} from "kysely";
import pg from "pg";
import type { Logger } from "pino";

/**
 * One database per service. `DATABASE_URL` set → a pg pool on real PostgreSQL; unset →
 * embedded PGlite: the service's own under `<dataDir>/<service>` when it runs alone, or its
 * schema in the one PGlite database of the process (`embedded`, what `npm start` uses; see
 * `openEmbeddedDatabase`). A single connection either way; Kysely's PGlite driver serialises
 * queries and transactions on it. The choice is made here and nowhere else.
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
  /**
   * Run by `migrate` before the migrations: a schema of the shared embedded database brings in
   * the service's data from its former folder of its own (see `openEmbeddedDatabase`).
   */
  beforeMigrate?(migrationsDir: string, logger?: Logger): Promise<void>;
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
  /**
   * PostgreSQL schema to use (created if missing); lets tests share one database. With
   * `embedded`, the service's schema in it (default: the service name, `-` → `_`).
   */
  schema?: string;
  /**
   * The process's one embedded database (`openEmbeddedDatabase`): this service gets a schema
   * of it instead of a PGlite of its own. Ignored when `url` is set.
   */
  embedded?: EmbeddedDatabase | undefined;
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

/**
 * Statement texts that run as named (prepared) statements on PostgreSQL: each pooled
 * connection parses and plans such a text once, then only binds and executes it (pg's `name`).
 * For a service's hot statements whose text is fixed (`preparedStatement`); Kysely passes the
 * text through unchanged, so `db.executeQuery(CompiledQuery.raw(preparedStatement(text), params))`
 * uses it. PGlite runs the text as any other. Bounded: past `maxPreparedStatements` distinct
 * texts, a further one runs unnamed.
 */
const preparedNames = new Map<string, string>();
export const maxPreparedStatements = 200;

/** Marks `text` as one to prepare (see `preparedNames`) and gives it back. */
export function preparedStatement(text: string): string {
  if (!preparedNames.has(text) && preparedNames.size < maxPreparedStatements) {
    preparedNames.set(text, `clinic_prepared_${preparedNames.size + 1}`);
  }
  return text;
}

/**
 * A compiled Kysely query (`builder.compile()`, or `sql\`…\`.compile(db)`) whose text runs as a
 * prepared statement (`preparedStatement`): `db.executeQuery(prepared(builder.compile()))`. Only
 * for statements of fixed shape (the same text at every call: no `in` list of varying length,
 * no optional clauses), or each shape takes one of the `maxPreparedStatements` names.
 */
export function prepared<R>(compiled: CompiledQuery<R>): CompiledQuery<R> {
  preparedStatement(compiled.sql);
  return compiled;
}

/** Where a call's value goes in a statement built by `compiledOnce`. */
class Placeholder {
  constructor(readonly name: string) {}
}

interface CompiledTemplate {
  sql: string;
  parameters: unknown[];
  /** [index in `parameters`, name of the call's value]. */
  slots: [number, string][];
  query: CompiledQuery["query"];
}

/**
 * A statement of fixed shape (see `prepared`) built and compiled by Kysely once per database
 * instead of at every call, run as a prepared statement: `build(db, param)` makes the query with
 * `param("name")` where a call's value goes (a value only: not in an `in` list, a column or an
 * optional clause), and each call binds its values by name — the same text and parameters as
 * building it with those values. Kysely's building and compiling cost ~120 µs a statement on
 * the cycle's path (bench/README.md Finding 29). A database with query plugins (none here:
 * their SQL could differ) builds at every call.
 *
 *   const byId = compiledOnce((db: Kysely<DB>, p: Param<{ id: string }>) =>
 *     db.selectFrom("sessions").selectAll().where("id", "=", p("id")));
 *   const { rows } = await db.executeQuery(byId(db, { id }));
 */
export type Param<P> = <K extends keyof P & string>(name: K) => P[K];

/** A Kysely instance or transaction, as `compiledOnce` sees it. */
interface Executes {
  getExecutor(): { readonly adapter: object; readonly plugins: readonly unknown[] };
}

export function compiledOnce<D extends Executes, P extends Record<string, unknown>, R>(
  build: (db: D, param: Param<P>) => { compile(): CompiledQuery<R> },
): (db: D, params: P) => CompiledQuery<R> {
  const templates = new WeakMap<object, CompiledTemplate>();
  return (db, params) => {
    const executor = db.getExecutor();
    if (executor.plugins.length > 0) {
      return prepared(build(db, ((name: string) => params[name]) as Param<P>).compile());
    }
    // One adapter per Kysely instance, shared by its transactions.
    let template = templates.get(executor.adapter);
    if (!template) {
      const names: string[] = [];
      const placeholder = (name: string) => {
        names.push(name);
        return new Placeholder(name);
      };
      template = compileTemplate(build(db, placeholder as unknown as Param<P>).compile(), names);
      templates.set(executor.adapter, template);
    }
    const parameters = template.parameters.slice();
    for (const [index, name] of template.slots) parameters[index] = params[name];
    return { sql: template.sql, parameters, query: template.query, queryId: createQueryId() } as CompiledQuery<R>;
  };
}

function compileTemplate(compiled: CompiledQuery, names: string[]): CompiledTemplate {
  const slots: [number, string][] = [];
  compiled.parameters.forEach((value, index) => {
    if (value instanceof Placeholder) slots.push([index, value.name]);
  });
  // A placeholder Kysely did not pass through as a parameter (an `in` list, a column) would be lost.
  if (slots.length !== names.length) throw new Error(`compiledOnce: not every param became a parameter (${names})`);
  const parameters = compiled.parameters.map((value) => (value instanceof Placeholder ? undefined : value));
  return { sql: preparedStatement(compiled.sql), parameters, slots, query: compiled.query };
}

/** pg's client, with the texts of `preparedStatement` sent as named statements. */
class PreparingClient extends pg.Client {
  // pg's `query` has a dozen overloads; this one only turns (text, values) into (config).
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const name = typeof text === "string" ? preparedNames.get(text) : undefined;
    const query = super.query as (...a: unknown[]) => never;
    if (name !== undefined && args.length <= 2 && (values === undefined || Array.isArray(values))) {
      return query.call(this, { name, text, values });
    }
    return query.apply(this, args);
  }
}

export async function openDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  if (options.url) return openPostgres<DB>(options.url, options);
  // PGlite has a single user: there is no second role to hand the schema to.
  if (options.ownerUrl) throw new Error("DATABASE_OWNER_URL needs DATABASE_URL (the runtime role) as well");
  if (options.embedded) return openEmbeddedSchema<DB>(options.embedded, options);
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
    Client: PreparingClient,
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

/**
 * PostgreSQL's shared buffers inside each embedded PGlite. PGlite's data directory says 128MB,
 * and its WebAssembly memory zero-fills (touches) the whole pool when the server starts: 128 MiB
 * resident per PGlite before a single query. The embedded data (a clinic's demo, development)
 * fits in 32 MB many times over; pages not in the pool are read from the files again (16 MB
 * cut the queries per second on a 90 MB table by ~40 % in a measurement; 32 MB kept the 128 MB figure).
 */
export const EMBEDDED_SHARED_BUFFERS = "32MB";

/** A PGlite (in memory without `dir`) with PGlite's own start parameters and the pool above. */
function createPglite(dir?: string): Promise<PGlite> {
  const startParams = [...PGlite.defaultStartParams, "-c", `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`];
  return PGlite.create(dir === undefined ? { startParams } : { dataDir: dir, startParams });
}

async function openPglite<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  const dataDir = options.dataDir ?? ".data";
  let pglite: PGlite;
  if (dataDir === ":memory:") {
    pglite = await createPglite();
  } else {
    const dir = join(dataDir, options.service);
    mkdirSync(dir, { recursive: true });
    pglite = await createPglite(dir);
  }
  return pgliteDatabase<DB>(pglite);
}

function pgliteDatabase<DB>(pglite: PGlite): Database<DB> {
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
  await database.beforeMigrate?.(dir, logger);
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

/*
 * The process's one embedded database. `npm start` runs every service in one process; a PGlite
 * database is a WebAssembly PostgreSQL of its own (~170–220 MiB resident each), so one per
 * service tripled the stack's memory. Instead the stack opens one, and each service gets a
 * schema of it (`openDatabase({ embedded, ... })`), as it gets one of a shared PostgreSQL
 * database with DATABASE_URL: the services' tables may share names (outbox, inbox, audit_log).
 *
 * PGlite is one connection whose `search_path` is session state, so every use of it by a
 * service (a query, a whole transaction, a migration script) holds one lock shared by all the
 * services and sets the service's search_path first: another service's query can neither run
 * inside that transaction nor land in the wrong schema. Kysely's own PGlite driver runs under
 * that lock (`SchemaDriver`); unqualified names in raw `sql` resolve in the service's schema.
 */

/** The folder under DATA_DIR holding the shared embedded database. */
export const EMBEDDED_DIR = "embedded";
/** The folder under DATA_DIR that keeps a service's former database folder once its data is moved. */
export const LEGACY_BACKUP_DIR = "legacy-backup";

export interface EmbeddedDatabase {
  /** Where the PGlite files are (`<dataDir>/embedded`), or ":memory:". */
  readonly location: string;
  /**
   * The services whose former folder of their own (`<dataDir>/<service>`, the layout before
   * one shared database) was moved into their schema on this start, and where the folder went.
   */
  readonly imported: readonly LegacyImport[];
  /** Closes the PGlite database (after every service using it has closed). */
  close(): Promise<void>;
}

export interface LegacyImport {
  service: string;
  schema: string;
  /** Rows copied, all tables together. */
  rows: number;
  backup: string;
}

/** FIFO lock: one holder at a time, in arrival order. */
class Lock {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let open!: () => void;
    const held = new Promise<void>((resolve) => {
      open = resolve;
    });
    const before = this.#tail;
    this.#tail = before.then(() => held);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      open();
    };
    return before.then(() => release);
  }
}

const ident = (name: string) => pg.escapeIdentifier(name);

class SharedPglite implements EmbeddedDatabase {
  readonly imported: LegacyImport[] = [];
  readonly #lock = new Lock();
  /** The search_path PGlite's session has now; undefined: unknown, set it again. */
  #current: string | undefined;

  constructor(
    readonly pglite: PGlite,
    readonly location: string,
    /** DATA_DIR, where the services' former folders were; undefined in memory. */
    readonly dataDir: string | undefined,
  ) {}

  /** Holds the database for `schema`: resolves once no other holder is left, with its search_path set. */
  async acquire(schema: string): Promise<() => void> {
    const release = await this.#lock.acquire();
    try {
      if (this.#current !== schema) {
        this.#current = undefined;
        await this.pglite.exec(`SET search_path TO ${ident(schema)}`);
        this.#current = schema;
      }
      return release;
    } catch (err) {
      release();
      throw err;
    }
  }

  /** `fn` with the database held for `schema`; a script may change search_path, so it is set again next time. */
  async run<T>(schema: string, fn: (pglite: PGlite) => Promise<T>, script = false): Promise<T> {
    const release = await this.acquire(schema);
    try {
      return await fn(this.pglite);
    } finally {
      if (script) this.#current = undefined;
      release();
    }
  }

  async close(): Promise<void> {
    const release = await this.#lock.acquire();
    try {
      if (!this.pglite.closed) await this.pglite.close();
    } finally {
      release();
    }
  }

  /** The service's former folder of its own, when it still holds a database. */
  legacyFolder(service: string): string | undefined {
    if (!this.dataDir) return undefined;
    const folder = join(this.dataDir, service);
    return existsSync(join(folder, "PG_VERSION")) ? folder : undefined;
  }

  /**
   * Moves a service's former database folder into its schema, once: migrated to the current
   * version in place first, then, in ONE transaction here, the schema is created, its tables
   * made by the same migrations, every row copied (COPY, exact text form; triggers and foreign
   * keys off for the copy, as a restore does), counts compared, sequences carried over, and the
   * move recorded in `public.embedded_imports`. Only then is the folder renamed into
   * `legacy-backup/` (kept, never deleted). A failure leaves no schema behind and the folder as
   * it was: the next start tries again.
   */
  async bringIn(service: string, schema: string, folder: string, migrationsDir: string, logger?: Logger) {
    const [state] = (
      await this.run(schema, (db) =>
        db.query<{ schema_exists: boolean; imported: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema_exists,
                  to_regclass('public.embedded_imports') IS NOT NULL AS imported`,
          [schema],
        ),
      )
    ).rows;
    let done = false;
    if (state?.imported) {
      const found = await this.run(schema, (db) =>
        db.query("SELECT 1 FROM public.embedded_imports WHERE service = $1", [service]),
      );
      done = found.rows.length > 0;
    }
    if (done) {
      // Moved on an earlier start that stopped before renaming the folder.
      this.#keepAsBackup(service, schema, folder, 0);
      return;
    }
    if (state?.schema_exists) {
      logger?.warn(
        { service, folder },
        "a database folder of this service's own exists beside the shared embedded database, which already has its schema: left as it is, not merged",
      );
      return;
    }
    const legacy = await createPglite(folder);
    let rows = 0;
    try {
      // The former folder may be from an older version: bring it to this one where it is.
      await applyMigrations(pgliteDatabase(legacy), migrationsDir, logger);
      const files = readdirSync(migrationsDir)
        .filter((f) => f.endsWith(".sql"))
        .sort();
      const tables = (
        await legacy.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
        )
      ).rows.map((r) => r.name);
      const sequences = (
        await legacy.query<{ name: string; last: string | null }>(
          "SELECT sequencename AS name, last_value::text AS last FROM pg_sequences WHERE schemaname = 'public'",
        )
      ).rows;
      await this.run(
        schema,
        (db) =>
          db.transaction(async (tx) => {
            await tx.exec(`CREATE SCHEMA ${ident(schema)}; SET LOCAL search_path TO ${ident(schema)};
              CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());`);
            for (const file of files) await tx.exec(readFileSync(join(migrationsDir, file), "utf8"));
            await tx.exec("SET LOCAL session_replication_role = replica");
            for (const table of tables) {
              const target = `${ident(schema)}.${ident(table)}`;
              const found = await tx.query<{ found: string | null }>("SELECT to_regclass($1)::text AS found", [target]);
              if (!found.rows[0]?.found) {
                throw new Error(`table ${table} of ${folder} has no counterpart in the migrations; nothing was moved`);
              }
              const columns = (
                await legacy.query<{ name: string }>(
                  `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass
                     AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
                  [`public.${ident(table)}`],
                )
              ).rows
                .map((c) => ident(c.name))
                .join(", ");
              // Rows a migration inserted (schema_migrations itself) are replaced by the folder's.
              await tx.exec(`DELETE FROM ${target}`);
              const out = await legacy.query(`COPY public.${ident(table)} (${columns}) TO '/dev/blob'`);
              if (out.blob) await tx.query(`COPY ${target} (${columns}) FROM '/dev/blob'`, [], { blob: out.blob });
              const count = async (on: Pick<PGlite, "query">, name: string) =>
                Number((await on.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}`)).rows[0]?.n);
              const copied = await count(tx, target);
              const source = await count(legacy, `public.${ident(table)}`);
              if (copied !== source)
                throw new Error(`table ${table}: ${copied} rows copied of ${source}; nothing was moved`);
              rows += copied;
            }
            for (const sequence of sequences) {
              if (sequence.last === null) continue;
              await tx.query("SELECT setval($1::regclass, $2::bigint)", [
                `${ident(schema)}.${ident(sequence.name)}`,
                sequence.last,
              ]);
            }
            await tx.exec(`CREATE TABLE IF NOT EXISTS public.embedded_imports (
                service text PRIMARY KEY, schema_name text NOT NULL, source text NOT NULL,
                imported_at timestamptz NOT NULL DEFAULT now())`);
            await tx.query("INSERT INTO public.embedded_imports (service, schema_name, source) VALUES ($1, $2, $3)", [
              service,
              schema,
              folder,
            ]);
          }),
        true,
      );
    } finally {
      if (!legacy.closed) await legacy.close();
    }
    this.#keepAsBackup(service, schema, folder, rows);
  }

  #keepAsBackup(service: string, schema: string, folder: string, rows: number) {
    const root = join(this.dataDir ?? ".", LEGACY_BACKUP_DIR);
    mkdirSync(root, { recursive: true });
    let backup = join(root, service);
    if (existsSync(backup)) backup = `${backup}-${Date.now()}`;
    renameSync(folder, backup);
    this.imported.push({ service, schema, rows, backup });
  }
}

/**
 * Opens the process's one embedded database: `<dataDir>/embedded` (":memory:" → in memory).
 * Services open their schema of it with `openDatabase({ service, embedded })`; close it after
 * them. A service's former folder of its own (`<dataDir>/<service>`) is moved into its schema
 * when that service first migrates here (see `SharedPglite.bringIn`).
 */
export async function openEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  if (dataDir === ":memory:") return new SharedPglite(await createPglite(), ":memory:", undefined);
  const location = join(dataDir, EMBEDDED_DIR);
  mkdirSync(location, { recursive: true });
  return new SharedPglite(await createPglite(location), location, dataDir);
}

/**
 * Kysely's PGlite driver, run under the shared database's lock: held from acquiring the
 * connection to releasing it, i.e. around one query or a whole transaction. Kysely itself
 * lets one query or transaction of a Kysely instance use the connection at a time.
 */
class SchemaDriver implements Driver {
  readonly #inner: PGliteDriver;
  #release: (() => void) | undefined;

  constructor(
    private readonly shared: SharedPglite,
    private readonly schema: string,
  ) {
    this.#inner = new PGliteDriver({ pglite: shared.pglite });
  }

  init() {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.shared.acquire(this.schema);
    try {
      const connection = await this.#inner.acquireConnection();
      this.#release = release;
      return connection;
    } catch (err) {
      release();
      throw err;
    }
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  // The connection is the one #inner handed out (its own class, which Kysely does not export).
  beginTransaction(connection: DatabaseConnection) {
    return this.#inner.beginTransaction(connection as Parameters<PGliteDriver["beginTransaction"]>[0]);
  }

  commitTransaction(connection: DatabaseConnection) {
    return this.#inner.commitTransaction(connection as Parameters<PGliteDriver["commitTransaction"]>[0]);
  }

  rollbackTransaction(connection: DatabaseConnection) {
    return this.#inner.rollbackTransaction(connection as Parameters<PGliteDriver["rollbackTransaction"]>[0]);
  }

  savepoint(...args: Parameters<NonNullable<Driver["savepoint"]>>) {
    return this.#inner.savepoint(...args);
  }

  rollbackToSavepoint(...args: Parameters<NonNullable<Driver["rollbackToSavepoint"]>>) {
    return this.#inner.rollbackToSavepoint(...args);
  }

  releaseSavepoint(...args: Parameters<NonNullable<Driver["releaseSavepoint"]>>) {
    return this.#inner.releaseSavepoint(...args);
  }

  /** The shared database is closed by its opener, after every service. */
  async destroy(): Promise<void> {}
}

async function openEmbeddedSchema<DB>(embedded: EmbeddedDatabase, options: DatabaseOptions): Promise<Database<DB>> {
  if (!(embedded instanceof SharedPglite)) throw new TypeError("embedded: open it with openEmbeddedDatabase");
  const shared = embedded;
  const schema = options.schema ?? options.service.replace(/-/g, "_");
  // With a former folder to bring in, the schema is created by that move (one transaction).
  if (!shared.legacyFolder(options.service))
    await shared.run(schema, (db) => db.exec(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`));
  const driver = new SchemaDriver(shared, schema);
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PGliteAdapter(),
      createDriver: () => driver,
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  const database: Database<DB> = {
    db,
    kind: "pglite",
    ping: async () => {
      await shared.run(schema, (pglite) => pglite.query("SELECT 1"));
    },
    close: () => db.destroy(),
    runScript: (script) =>
      shared.run(
        schema,
        async (pglite) => {
          await pglite.transaction(async (tx) => {
            await tx.exec(script);
          });
        },
        true,
      ),
    withOwner: (fn) => fn(database),
    beforeMigrate: async (dir, logger) => {
      // Looked up again: video replicas share this database and migrate it each in turn.
      const folder = shared.legacyFolder(options.service);
      if (!folder) return;
      await shared.bringIn(options.service, schema, folder, dir, logger);
      await shared.run(schema, (pglite) => pglite.exec(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`));
    },
  };
  return database;
}

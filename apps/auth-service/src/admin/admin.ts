import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, EMBEDDED_DIR, migrate, openDatabase, openEmbeddedDatabase } from "@clinic/platform";
import type { AuthConfig } from "../config.ts";
import { type AuthDatabase, type AuthTables, appendOnlyTables } from "../database.ts";

/**
 * The auth service's operator commands (`npm run admin -- <command>`): a small dispatcher,
 * one entry per command, each with its own `--help`. A command reads the same environment
 * as the service (DATABASE_URL or DATA_DIR, AUTH_KEY_ENCRYPTION_KEY, …) and prints what it
 * did, never key material or passwords.
 */
export interface AdminIo {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
}

export interface AdminCommand {
  name: string;
  summary: string;
  /** Full help, shown by `<command> --help`. */
  usage: string;
  /** Exit code: 0 done, 1 refused or failed. */
  run(args: string[], io: AdminIo): Promise<number>;
}

/** Bad arguments: the command's usage is shown, exit code 2. */
export class UsageError extends Error {}

const migrations = fileURLToPath(new URL("../migrations", import.meta.url));

/**
 * Opens the service's database as the service would (PostgreSQL from DATABASE_URL, in
 * `schema` when given; else PGlite under DATA_DIR), brings its tables up to date, runs `fn`.
 */
export async function withAuthDatabase<T>(
  config: AuthConfig,
  schema: string | undefined,
  fn: (database: AuthDatabase) => Promise<T>,
): Promise<T> {
  // Embedded: the stack's one database (`npm start`, schema auth_service) when it exists; else
  // the service's own folder (DATA_DIR/auth-service), which the stack moves in on its first start.
  const embedded =
    !config.DATABASE_URL && usesSharedEmbedded(config.DATA_DIR)
      ? await openEmbeddedDatabase(config.DATA_DIR)
      : undefined;
  const database = await openDatabase<AuthTables>({
    service: "auth-service",
    embedded,
    url: config.DATABASE_URL,
    // The owner role runs the migrations when the deployment separates it (DATABASE_OWNER_URL).
    ownerUrl: config.DATABASE_OWNER_URL,
    dataDir: config.DATA_DIR,
    poolSize: 2,
    ...(schema ? { schema } : {}),
  });
  try {
    await migrate(database, migrations, undefined, { appendOnly: appendOnlyTables });
    return await fn(database);
  } finally {
    await database.close();
    await embedded?.close();
  }
}

/** Once `npm start` has made its one database; before that, a folder of the service's own (the stack moves it in). */
function usesSharedEmbedded(dataDir: string): boolean {
  return existsSync(join(dataDir, EMBEDDED_DIR));
}

/** Where a command works, in words (no password in the URL). */
export function describeDatabase(config: AuthConfig, schema: string | undefined): string {
  if (!config.DATABASE_URL) {
    return usesSharedEmbedded(config.DATA_DIR)
      ? `embedded PGlite in ${config.DATA_DIR}/${EMBEDDED_DIR}, schema auth_service`
      : `embedded PGlite in ${config.DATA_DIR}/auth-service`;
  }
  let host = "PostgreSQL";
  try {
    const url = new URL(config.DATABASE_URL);
    host = `PostgreSQL ${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`;
  } catch {
    // The configuration check already accepted it; the name is only for the message.
  }
  return schema ? `${host}, schema ${schema}` : host;
}

export async function runAdmin(commands: AdminCommand[], argv: string[], io: AdminIo): Promise<number> {
  const [name, ...args] = argv;
  const overview = [
    "Usage: npm run admin -- <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(22)} ${c.summary}`),
    "",
    "Run `npm run admin -- <command> --help` for a command's options. The environment is the",
    "auth service's (DATABASE_URL or DATA_DIR, AUTH_KEY_ENCRYPTION_KEY, ACCESS_TOKEN_TTL_SEC, …).",
  ].join("\n");
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.err : io.out)(overview);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`Unknown command: ${name}\n\n${overview}`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`${name}: ${(err as Error).message}\n\n${command.usage}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.err(`${name}: ${err.message}`);
      return 1;
    }
    // Messages only: a stack or a driver error object could carry connection details.
    io.err(`${name}: failed: ${(err as Error).message}`);
    return 1;
  }
}

import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DatabaseOptions, EMBEDDED_DIR, openDatabase, openEmbeddedDatabase } from "@clinic/platform";
import { testDatabase } from "@clinic/platform/testing";
import type { AuthDatabase, AuthTables } from "../database.ts";
import { listAllKeys, type StoredKey } from "./keys.repository.ts";

export const newEncryptionKey = () => randomBytes(32).toString("base64");

/**
 * A database that outlives one app, for the key tests (restarts, the CLI): a PostgreSQL
 * schema when DATABASE_URL is set, else PGlite files in a temporary folder. PGlite is one
 * process's database: `withDatabase` there only while no app (or CLI) has it open.
 */
export function keyStore(name: string) {
  const postgres = process.env.DATABASE_URL ? testDatabase(name) : undefined;
  const dataDir = postgres ? undefined : mkdtempSync(join(tmpdir(), `${name}-`));
  const options: DatabaseOptions = postgres?.options ?? { service: "auth-service", dataDir: dataDir as string };
  async function withDatabase<T>(fn: (database: AuthDatabase) => Promise<T>): Promise<T> {
    // Where the admin CLI put it: the stack's one embedded database once it exists there.
    const embedded =
      dataDir && existsSync(join(dataDir, EMBEDDED_DIR)) ? await openEmbeddedDatabase(dataDir) : undefined;
    const database = await openDatabase<AuthTables>({ ...options, embedded });
    try {
      return await fn(database);
    } finally {
      await database.close();
      await embedded?.close();
    }
  }
  return {
    kind: postgres ? ("postgres" as const) : ("pglite" as const),
    options,
    withDatabase,
    rows: (): Promise<StoredKey[]> => withDatabase((database) => listAllKeys(database.db)),
    /** The service's environment for a child process (the admin CLI) on this database. */
    childEnv: (): Record<string, string> =>
      postgres ? { DATABASE_URL: process.env.DATABASE_URL as string } : { DATA_DIR: dataDir as string },
    /** `--schema` for the CLI on PostgreSQL (tests give each store its own schema). */
    schemaArgs: (): string[] => (postgres?.options.schema ? ["--schema", postgres.options.schema] : []),
    async drop() {
      await postgres?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

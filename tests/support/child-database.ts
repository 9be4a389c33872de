import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@clinic/platform";
import { testDatabase } from "@clinic/platform/testing";
import { sql } from "kysely";
import pg from "pg";

/**
 * The database of a service running as a child process, and a way for the test to read it:
 * a fresh PostgreSQL schema when DATABASE_URL is set (readable at any time), otherwise PGlite
 * files in a temporary folder (readable only while the child is stopped: PGlite is one
 * process's database).
 */
export function childDatabase(name: string) {
  const url = process.env.DATABASE_URL;
  const postgres = url ? testDatabase(name) : undefined;
  const dataDir = postgres ? undefined : mkdtempSync(join(tmpdir(), `suite-${name}-`));
  const schema = postgres?.options.schema;
  return {
    kind: postgres ? ("postgres" as const) : ("pglite" as const),
    schema,
    /** Environment for the child: where its database is. */
    env: (applicationName?: string): Record<string, string> =>
      url && schema
        ? {
            DATABASE_URL: applicationName ? `${url}?application_name=${applicationName}` : url,
            TEST_DB_SCHEMA: schema,
          }
        : { DATA_DIR: dataDir as string },
    async query<T>(text: string): Promise<T[]> {
      if (url && schema) {
        const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
        await client.connect();
        try {
          return (await client.query(text)).rows as T[];
        } finally {
          await client.end();
        }
      }
      const database = await openDatabase({ service: "video-service", dataDir: dataDir as string });
      try {
        return (await sql.raw(text).execute(database.db)).rows as T[];
      } finally {
        await database.close();
      }
    },
    async drop() {
      await postgres?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

import { randomBytes } from "node:crypto";
import pg from "pg";

const suffix = () => randomBytes(4).toString("hex");

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A schema of its own on the bench database, dropped afterwards (like the tests do). The
 * bench's video server puts each service in `<schema>_<service>` (video.server.ts), so
 * those go too: every schema named `<schema>` or `<schema>_…` (the random suffix keeps
 * other runs' apart).
 */
export function scratchSchema(url: string, label: string) {
  const schema = `bench_${label.replace(/\W/g, "_")}_${suffix()}`;
  return {
    schema,
    drop: () =>
      withClient(url, async (c) => {
        const found = await c.query<{ nspname: string }>(
          "SELECT nspname FROM pg_namespace WHERE nspname = $1 OR starts_with(nspname, $2)",
          [schema, `${schema}_`],
        );
        for (const { nspname } of found.rows) {
          await c.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(nspname)} CASCADE`);
        }
      }),
  };
}

/** A database of its own (pgbench creates fixed table names), dropped afterwards. */
export async function scratchDatabase(url: string, label: string) {
  const name = `bench_${label.replace(/\W/g, "_")}_${suffix()}`;
  await withClient(url, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    name,
    url: target.toString(),
    drop: () => withClient(url, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)),
  };
}

export async function serverVersion(url: string): Promise<string> {
  return withClient(
    url,
    async (c) => (await c.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version ?? "?",
  );
}

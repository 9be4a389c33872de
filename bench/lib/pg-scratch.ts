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

/** A schema of its own on the bench database, dropped afterwards (like the tests do). */
export function scratchSchema(url: string, label: string) {
  const schema = `bench_${label.replace(/\W/g, "_")}_${suffix()}`;
  return {
    schema,
    drop: () => withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`)),
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

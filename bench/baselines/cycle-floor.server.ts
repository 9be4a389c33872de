/**
 * Floor of scenario 3: the least a consultation cycle's six calls need on this machine. A bare
 * Fastify server (no logger, no plugins, no auth) whose six POST routes each write one audit-like
 * row, autocommit, in a table of a scratch schema on the same PostgreSQL (a pool of 4, one per
 * bench client). Driven by the same client code and concurrency as the product's cycles, it
 * leaves in the ratio what the product does beyond one write a call.
 */
import { randomUUID } from "node:crypto";
import Fastify from "fastify";
import pg from "pg";
import { serveChild } from "../lib/serve-child.ts";

serveChild(async (params) => {
  // `steps`: the cycle's calls (cycles.scenario.ts), one route each, `POST /floor/<step>`.
  const { databaseUrl, schema, applicationName, steps } = params as {
    databaseUrl: string;
    schema: string;
    applicationName: string;
    steps: string[];
  };
  const table = `${pg.escapeIdentifier(schema)}.floor_audit`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: applicationName });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${table} (
       id uuid PRIMARY KEY, action text NOT NULL, detail jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())`,
  );
  // Prepared once per connection, like the product's statements of fixed shape (Finding 29).
  const insert = `INSERT INTO ${table} (id, action, detail) VALUES ($1, $2, $3)`;
  const app = Fastify({ logger: false });
  for (const step of steps) {
    app.post(`/floor/${step}`, async (request) => {
      const id = randomUUID();
      await pool.query({ name: "floor-insert", text: insert, values: [id, step, JSON.stringify(request.body ?? {})] });
      return { id, step };
    });
  }
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
});

/**
 * Floor of scenario 3: the least a consultation cycle's six calls need on this machine. A bare
 * Fastify server (no logger, no plugins, no auth) whose six POST routes each write one audit-like
 * row, autocommit, in a table of a scratch schema on the same PostgreSQL (a pool of 4, one per
 * bench client). Driven by the same client code and concurrency as the product's cycles, it
 * leaves in the ratio what the product does beyond one write a call.
 *
 * `variant` (the ceiling probe, `probes/cycle-ceiling.ts`, Finding 43): `node-http` answers the
 * same routes from `node:http` itself, without Fastify, the same INSERT; `node-http-no-db` the
 * same without the INSERT — how far a server could go below the Fastify floor on this machine.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import Fastify from "fastify";
import pg from "pg";
import { serveChild } from "../lib/serve-child.ts";

export type FloorVariant = "fastify" | "node-http" | "node-http-no-db";

serveChild(async (params) => {
  // `steps`: the cycle's calls (cycles.scenario.ts), one route each, `POST /floor/<step>`.
  const {
    databaseUrl,
    schema,
    applicationName,
    steps,
    variant = "fastify",
  } = params as {
    databaseUrl: string;
    schema: string;
    applicationName: string;
    steps: string[];
    variant?: FloorVariant;
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
  const write = (id: string, step: string, detail: string) =>
    pool.query({ name: "floor-insert", text: insert, values: [id, step, detail] });
  const close = async (server: Server | { close(): Promise<unknown> }) => {
    if ("address" in server) await new Promise((done) => server.close(done));
    else await server.close();
    await pool.end();
  };
  if (variant !== "fastify") {
    const known = new Set(steps.map((step) => `/floor/${step}`));
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const url = request.url ?? "";
        if (request.method !== "POST" || !known.has(url)) {
          response.writeHead(404).end();
          return;
        }
        const step = url.slice("/floor/".length);
        const id = randomUUID();
        const answer = () => {
          const body = JSON.stringify({ id, step });
          response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
          response.end(body);
        };
        if (variant === "node-http-no-db") return answer();
        write(id, step, Buffer.concat(chunks).toString("utf8")).then(answer, () => response.writeHead(500).end());
      });
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("no port");
    return { port: address.port, close: () => close(server) };
  }
  const app = Fastify({ logger: false });
  for (const step of steps) {
    app.post(`/floor/${step}`, async (request) => {
      const id = randomUUID();
      await write(id, step, JSON.stringify(request.body ?? {}));
      return { id, step };
    });
  }
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return { port: address.port, close: () => close(app) };
});

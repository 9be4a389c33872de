import { randomBytes } from "node:crypto";
import { eventually, startTcpProxy, testDatabase } from "@clinic/platform/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { busTopology, databaseUrl } from "../support/bus.ts";
import { bookNow, startSession } from "../support/flows.ts";
import { call } from "../support/http.ts";
import { type System, startSystem } from "../support/system.ts";

/**
 * PostgreSQL goes away under running services: their connections are terminated with
 * pg_terminate_backend (found by the application_name each service's pool was given), and
 * new connections fail while the outage lasts (the services reach PostgreSQL through a TCP
 * relay the test closes). Requests must fail cleanly (503 with the error body, no internals),
 * /health must say DOWN, and once PostgreSQL is back the services answer again by themselves.
 * Needs real PostgreSQL: PGlite lives inside the process and cannot go away.
 */
describe.skipIf(!databaseUrl)("database outage on PostgreSQL: clean 503s, then recovery without a restart", () => {
  const topology = busTopology("dbout");
  const run = randomBytes(4).toString("hex");
  const names = { video: `suite_dbout_video_${run}`, appointments: `suite_dbout_appts_${run}` };
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let system: System;
  let admin: pg.Client;

  const through = (database: ReturnType<typeof testDatabase>, applicationName: string) => {
    const url = new URL(databaseUrl as string);
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    url.searchParams.set("application_name", applicationName);
    database.options.url = url.toString();
    return database;
  };

  beforeAll(async () => {
    const target = new URL(databaseUrl as string);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    system = await startSystem({
      bus: await topology.connect(),
      databases: {
        video: through(testDatabase("dbout_video"), names.video),
        appointments: through(testDatabase("dbout_appts"), names.appointments),
      },
    });
    admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
  });
  afterAll(async () => {
    proxy?.restore();
    await system?.close();
    await admin?.end();
    await proxy?.close();
    await topology.cleanup();
  });

  const terminate = async () => {
    const result = await admin.query(
      "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = ANY($1)",
      [Object.values(names)],
    );
    return result.rows.length;
  };

  it("answers 503 {error,status,code} while PostgreSQL is unreachable and recovers on its own", async () => {
    const doctor = await system.token("doctor");
    const appointment = await bookNow(system);
    const started = await startSession(system.urls.video, doctor, appointment.id);
    expect(started.status, started.text).toBe(200);
    const sessionId = started.body.session_id;
    const requests = [
      { base: system.urls.video, method: "GET", path: "/api/video/sessions" },
      { base: system.urls.video, method: "GET", path: `/api/video/sessions/${sessionId}` },
      { base: system.urls.video, method: "POST", path: `/api/video/sessions/${sessionId}/join`, body: {} },
      { base: system.urls.video, method: "GET", path: "/api/video/metrics/usage" },
      { base: system.urls.appointments, method: "GET", path: "/api/appointments" },
      { base: system.urls.appointments, method: "GET", path: `/api/appointments/${appointment.id}` },
    ];
    for (const r of requests) {
      const reply = await call(r.base, r.method, r.path, { token: doctor, body: r.body });
      expect(reply.status, `${r.method} ${r.path} before the outage: ${reply.text}`).toBe(200);
    }

    proxy.cut();
    expect(await terminate(), "the services' connections, found by application_name").toBeGreaterThan(0);

    const failures: string[] = [];
    for (const r of requests) {
      const reply = await call(r.base, r.method, r.path, { token: doctor, body: r.body });
      if (reply.status !== 503 || reply.body.status !== 503 || typeof reply.body.code !== "string") {
        failures.push(`${r.method} ${r.path} → ${reply.status} ${reply.text}`);
      }
      expect(reply.text).not.toMatch(/terminat|ECONN|postgres|pg_|stack/i);
    }
    expect(failures, "every request during the outage is a clean 503").toEqual([]);
    for (const base of [system.urls.video, system.urls.appointments]) {
      const health = await call(base, "GET", "/health");
      expect(health.status).toBe(503);
      expect(health.body.checks).toMatchObject({ database: "DOWN" });
      // Readiness takes the instance out of rotation, naming the dependency; liveness does
      // not ask the database, so the process is not restarted for an outage it cannot fix.
      const ready = await call(base, "GET", "/readyz");
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 503, code: "NOT_READY", checks: { database: "DOWN" } });
      expect(ready.body.error).toContain("database");
      expect((await call(base, "GET", "/livez")).status).toBe(200);
    }

    proxy.restore();
    for (const r of requests) {
      await eventually(
        `${r.method} ${r.path} to succeed again`,
        async () => (await call(r.base, r.method, r.path, { token: doctor, body: r.body })).status === 200,
        { timeoutMs: 20_000, intervalMs: 200 },
      );
    }
    for (const base of [system.urls.video, system.urls.appointments]) {
      expect((await call(base, "GET", "/health")).status).toBe(200);
      expect((await call(base, "GET", "/readyz")).status).toBe(200);
    }
  });
});

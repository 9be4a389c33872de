import { ConfigError, InProcessBus } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAppointmentsConfig } from "./config.ts";
import { startTestApp, type TestApp } from "./testing/test-app.ts";

describe("appointments app", () => {
  let t: TestApp;
  const bus = new InProcessBus();
  beforeAll(async () => {
    t = await startTestApp({ bus });
  });
  afterAll(() => t.close());

  it("publishes its OpenAPI document with every endpoint", async () => {
    const res = await t.app.inject({ url: "/docs/json" });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/api/appointments",
        "/api/appointments/{id}",
        "/api/appointments/{id}/cancel",
        "/api/appointments/{id}/reschedule",
        "/health",
      ]),
    );
    expect((await t.app.inject({ url: "/docs" })).statusCode).toBeLessThan(400);
  });

  it("reports database and event bus in /health, 503 when the bus is down", async () => {
    const up = await t.app.inject({ url: "/health" });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toEqual({
      status: "UP",
      service: "appointments-service",
      checks: { database: "UP", events: "UP" },
    });
    await bus.close();
    const down = await t.app.inject({ url: "/health" });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: "DOWN", checks: { database: "UP", events: "DOWN" } });
  });
});

describe("configuration", () => {
  it("defaults to port 8082 and demo data without a database URL, none with one", () => {
    expect(loadAppointmentsConfig({})).toMatchObject({ PORT: 8082, SEED_DEMO: "1", OUTBOX_INTERVAL_MS: 1000 });
    expect(loadAppointmentsConfig({ DATABASE_URL: "postgres://db/x" }).SEED_DEMO).toBe("0");
  });

  it("keeps delivered events 7 days by default, and at least a day", () => {
    expect(loadAppointmentsConfig({}).EVENT_RETENTION_DAYS).toBe(7);
    expect(loadAppointmentsConfig({ EVENT_RETENTION_DAYS: "30" }).EVENT_RETENTION_DAYS).toBe(30);
    for (const bad of ["0", "-1", "a week"]) {
      expect(() => loadAppointmentsConfig({ EVENT_RETENTION_DAYS: bad }), bad).toThrow(/EVENT_RETENTION_DAYS/);
    }
  });

  it("trusts fetched JWKS keys 24 h by default while the JWKS cannot be fetched, between 1 and 720 h", () => {
    expect(loadAppointmentsConfig({}).JWKS_MAX_STALE_HOURS).toBe(24);
    expect(loadAppointmentsConfig({ JWKS_MAX_STALE_HOURS: "2" }).JWKS_MAX_STALE_HOURS).toBe(2);
    for (const bad of ["0", "721", "a day"]) {
      expect(() => loadAppointmentsConfig({ JWKS_MAX_STALE_HOURS: bad }), bad).toThrow(/JWKS_MAX_STALE_HOURS/);
    }
  });

  it("names every bad variable at once", () => {
    let error: unknown;
    try {
      loadAppointmentsConfig({ PORT: "eighty", AUTH_JWKS_URL: "ftp://x", AMQP_URL: "http://rabbit" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ["PORT", "AUTH_JWKS_URL", "AMQP_URL"]) expect(message).toContain(name);
  });
});

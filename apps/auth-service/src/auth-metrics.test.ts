import { demoUsers } from "@clinic/contracts";
import { metricSample } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, login, type TestApp } from "./test-app.ts";

const { doctor } = demoUsers;

describe("auth service /metrics and probes", () => {
  let t: TestApp;
  beforeAll(async () => {
    // A tight per-email limit, so the third attempt is refused by the rate limit.
    t = await buildTestApp({ LOGIN_RATE_LIMIT_MAX: "2" });
  });
  afterAll(async () => {
    await t?.close();
  });

  const failures = async (reason: string) => {
    const reply = await t.app.inject({ method: "GET", url: "/metrics" });
    expect(reply.statusCode).toBe(200);
    return metricSample(reply.body, "auth_login_failures_total", { reason });
  };

  it("counts refused logins by reason, never by person", async () => {
    expect(await failures("invalid_credentials")).toBe(0);
    expect(await failures("rate_limited")).toBe(0);

    expect((await login(t.app, doctor.email, doctor.password)).statusCode).toBe(200);
    expect(await failures("invalid_credentials")).toBe(0);

    expect((await login(t.app, doctor.email, "not-the-password", "10.0.0.7")).statusCode).toBe(401);
    expect(await failures("invalid_credentials")).toBe(1);
    expect((await login(t.app, doctor.email, "still-not-it", "10.0.0.7")).statusCode).toBe(401);
    expect((await login(t.app, doctor.email, "third-guess", "10.0.0.7")).statusCode).toBe(429);
    expect(await failures("invalid_credentials")).toBe(2);
    expect(await failures("rate_limited")).toBe(1);

    const text = (await t.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(text).not.toContain(doctor.email);
    expect(text).not.toContain("10.0.0.7");
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/auth\/login"[^}]*status_code="401"/);
  });

  it("answers livez and readyz", async () => {
    expect((await t.app.inject({ url: "/livez" })).json()).toEqual({ status: "UP" });
    const ready = await t.app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "UP", checks: { database: "UP" } });
  });
});

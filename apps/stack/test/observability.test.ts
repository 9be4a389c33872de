import { testDatabase } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningStack, runStack } from "../src/stack.ts";

/**
 * The four apps of `npm start` share one process: each must still report its own figures
 * (a registry of its own) on its own port, and the gateway must pass none of them on.
 */
describe("metrics and probes of the one-process stack", () => {
  const databases = {
    auth: testDatabase("stack_obs_auth"),
    appointments: testDatabase("stack_obs_appts"),
    video: testDatabase("stack_obs_video"),
  };
  let stack: RunningStack;

  beforeAll(async () => {
    stack = await runStack({
      ports: { gateway: 0, auth: 0, appointments: 0, video: 0 },
      host: "127.0.0.1",
      databases: {
        auth: databases.auth.options,
        appointments: databases.appointments.options,
        video: databases.video.options,
      },
      seed: false,
      logLevel: "silent",
      env: {},
    });
  });
  afterAll(async () => {
    await stack?.close();
    for (const database of Object.values(databases)) await database.drop();
  });

  it("serves each service's own metrics on its own port", async () => {
    const expected = { auth: "auth-service", appointments: "appointments-service", video: "video-service" } as const;
    for (const [part, service] of Object.entries(expected)) {
      const base = stack.urls[part as keyof typeof expected];
      expect((await fetch(`${base}/livez`)).status, part).toBe(200);
      const res = await fetch(`${base}/metrics`);
      expect(res.status, part).toBe(200);
      const text = await res.text();
      const services = new Set([...text.matchAll(/service="([^"]+)"/g)].map((m) => m[1]));
      expect([...services], part).toEqual([service]);
    }
    const video = await (await fetch(`${stack.urls.video}/metrics`)).text();
    expect(video).toContain("video_signalling_connections");
    expect(video).not.toContain("auth_login_failures_total");
  });

  it("lets no metrics out through the gateway, which answers its probes", async () => {
    for (const path of ["/metrics", "/auth/metrics", "/appointments/metrics", "/video/metrics"]) {
      const res = await fetch(`${stack.urls.gateway}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain("# TYPE");
    }
    expect((await fetch(`${stack.urls.gateway}/livez`)).status).toBe(200);
    expect((await fetch(`${stack.urls.gateway}/readyz`)).status).toBe(200);
  });
});

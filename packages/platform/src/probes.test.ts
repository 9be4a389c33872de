import { afterEach, describe, expect, it } from "vitest";
import { type ProbeCheck, registerProbes } from "./probes.ts";
import { type App, createService } from "./server.ts";

const operationIds = { liveness: "getTestLiveness", readiness: "getTestReadiness" };

describe("GET /livez and GET /readyz", () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const build = async (checks: ProbeCheck[]) => {
    app = await createService({ name: "probes-test", title: "t", logLevel: "silent" });
    registerProbes(app, { checks, operationIds });
    return app;
  };

  it("livez answers 200 without asking any dependency", async () => {
    let asked = 0;
    const service = await build([
      {
        name: "database",
        check: async () => {
          asked++;
          throw new Error("down");
        },
      },
    ]);
    const reply = await service.inject({ method: "GET", url: "/livez" });
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual({ status: "UP" });
    expect(asked).toBe(0);
  });

  it("readyz answers 200 with the checks when the deciding ones pass", async () => {
    const service = await build([
      { name: "database", check: async () => undefined },
      { name: "event_bus", check: async () => Promise.reject(new Error("down")), informational: true },
    ]);
    const reply = await service.inject({ method: "GET", url: "/readyz" });
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual({ status: "UP", checks: { database: "UP", event_bus: "DOWN" } });
  });

  it("readyz answers 503 NOT_READY in the error shape, naming the failing dependency", async () => {
    const service = await build([
      { name: "database", check: async () => Promise.reject(new Error("connection refused")) },
      { name: "events", check: async () => undefined },
    ]);
    const reply = await service.inject({ method: "GET", url: "/readyz" });
    expect(reply.statusCode).toBe(503);
    expect(reply.headers["retry-after"]).toBe("5");
    expect(reply.json()).toEqual({
      error: "Not ready: database unavailable",
      status: 503,
      code: "NOT_READY",
      checks: { database: "DOWN", events: "UP" },
    });
    // The cause stays in the service: the probe answer does not echo it.
    expect(reply.body).not.toContain("refused");
  });

  it("names both probes in the OpenAPI document", async () => {
    const service = await build([]);
    const document = (await service.inject({ method: "GET", url: "/docs/json" })).json();
    expect(document.paths["/livez"].get.operationId).toBe("getTestLiveness");
    expect(document.paths["/readyz"].get.operationId).toBe("getTestReadiness");
  });
});

describe("under-pressure: a stalled event loop sheds load", () => {
  let app: (App & { isUnderPressure(): boolean }) | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  /** Occupies the event loop for `ms`, as a runaway computation would. */
  const blockLoop = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy
    }
  };
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  it("answers 503 UNDER_PRESSURE with Retry-After while the loop is stalled; /livez still answers 200", async () => {
    const service = (await createService({
      name: "pressure-test",
      title: "t",
      logLevel: "silent",
      maxEventLoopDelayMs: 20,
      pressureSampleIntervalMs: 50,
    })) as App & { isUnderPressure(): boolean };
    app = service;
    registerProbes(service, { checks: [], operationIds });
    service.get("/work", async () => ({ ok: true }));
    await service.ready();
    expect((await service.inject({ method: "GET", url: "/work" })).statusCode).toBe(200);

    // The plugin samples the loop's delay every 50 ms: block it well past the threshold until
    // a sample has seen the stall, then ask while that sample stands. Bounded in attempts.
    let shed: Awaited<ReturnType<App["inject"]>> | undefined;
    let live: Awaited<ReturnType<App["inject"]>> | undefined;
    for (let attempt = 0; attempt < 10 && !shed; attempt++) {
      blockLoop(600);
      for (let i = 0; i < 40 && !service.isUnderPressure(); i++) await tick();
      if (!service.isUnderPressure()) continue;
      const [work, livez] = await Promise.all([
        service.inject({ method: "GET", url: "/work" }),
        service.inject({ method: "GET", url: "/livez" }),
      ]);
      if (work.statusCode === 503) {
        shed = work;
        live = livez;
      }
    }
    expect(shed, "a request while the loop was stalled").toBeDefined();
    expect(shed?.json()).toEqual({
      error: "The service is overloaded; try again shortly",
      status: 503,
      code: "UNDER_PRESSURE",
    });
    expect(shed?.headers["retry-after"]).toBe("5");
    expect(shed?.headers["x-request-id"]).toBeDefined();
    expect(live?.statusCode).toBe(200);
  });

  it("is off with maxEventLoopDelayMs 0", async () => {
    const service = (await createService({
      name: "no-pressure",
      title: "t",
      logLevel: "silent",
      maxEventLoopDelayMs: 0,
    })) as App & { isUnderPressure?: () => boolean };
    app = service as App & { isUnderPressure(): boolean };
    expect(service.isUnderPressure).toBeUndefined();
  });
});

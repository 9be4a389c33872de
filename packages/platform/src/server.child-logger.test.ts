import pino from "pino";
import { describe, expect, it } from "vitest";
import { loggerOptions } from "./logger.ts";
import { createService, requestChildLogger } from "./server.ts";
import { captureLogs } from "./testing/index.ts";

/**
 * The per-request child logger (server.ts `requestChildLogger`) skips pino's redaction of its
 * `reqId` binding (bench/README.md Finding 32): every line it writes must be the line pino's own
 * `child({ reqId })` writes, byte for byte apart from the time.
 */
describe("the request's child logger", () => {
  const written = (lines: string[]) => lines.map((l) => l.replace(/"time":\d+/, ""));

  it("writes what pino's child({ reqId }) writes, redaction of the line itself included", () => {
    const logs = captureLogs();
    const logger = pino(loggerOptions("child-test", "debug"), logs.stream);
    for (const id of ["req-child-1", "0b6f9d0e-3f7c-4d39-9f0e-2a1f3c4d5e6f", "a.b_c:d-e"]) {
      for (const make of [() => logger.child({ reqId: id }), () => requestChildLogger(logger, { reqId: id }, {})]) {
        const child = make() as pino.Logger;
        child.info({ patient_name: "Jane Doe", nested: { token: "t0k", n: 1 } }, "a line");
        child.warn("plain");
        child.child({ more: "x" }).error({ notes: "secret note" }, "grandchild");
        expect(child.bindings()).toEqual({ service: "child-test", reqId: id });
      }
      const lines = written(logs.lines.splice(0));
      expect(lines).toHaveLength(6);
      expect(lines.slice(3)).toEqual(lines.slice(0, 3));
      expect(lines[0]).toContain(`"reqId":"${id}"`);
      expect(lines.join("\n")).not.toMatch(/Jane|t0k|secret note/);
    }
  });

  it("leaves ids that need escaping, other bindings and a route's options to pino's child()", () => {
    const logs = captureLogs();
    const logger = pino(loggerOptions("child-test", "info"), logs.stream);
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ reqId: 'quote"id' }, {}],
      [{ reqId: "" }, {}],
      [{ reqId: 42 }, {}],
      [{ reqId: "req-child-2", other: "y" }, {}],
      [{ reqId: "req-child-3" }, { level: "warn" }],
    ];
    for (const [bindings, options] of cases) {
      (logger.child(bindings, options) as pino.Logger).warn({ token: "t" }, "x");
      (requestChildLogger(logger, bindings, options) as pino.Logger).warn({ token: "t" }, "x");
      const lines = written(logs.lines.splice(0));
      expect(lines).toHaveLength(2);
      expect(lines[1]).toBe(lines[0]);
    }
    expect((requestChildLogger(logger, { reqId: "req-child-3" }, { level: "warn" }) as pino.Logger).level).toBe("warn");
  });

  it("is the logger a request gets: its lines carry the request's id", async () => {
    const logs = captureLogs();
    const app = await createService({ name: "child-test", title: "t", logLevel: "info", logStream: logs.stream });
    try {
      app.get("/things", async (request) => {
        request.log.info({ patient_name: "Jane" }, "handler line");
        return { ok: true };
      });
      await app.inject({ url: "/things", headers: { "x-request-id": "req-child-route-1" } });
      const line = logs.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === "handler line");
      expect(line).toMatchObject({ service: "child-test", reqId: "req-child-route-1", patient_name: "[redacted]" });
    } finally {
      await app.close();
    }
  });
});

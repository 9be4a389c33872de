import { captureLogs } from "@clinic/platform/testing";
import { describe, expect, it } from "vitest";
import { accessLine, createAccessLog } from "./access-log.ts";
import { createGatewayLogger } from "./app.ts";
import { startGateway } from "./testing/gateway-fixture.ts";

const line = {
  reqId: "trace-0001",
  method: "GET",
  path: "/video/api/video/sessions",
  status: 200,
  duration_ms: 3,
  upstream: "video",
};

/**
 * The access line skips pino's redaction (it costs more than the line, issue 14). Safe only
 * because it is made of the fixed fields of `accessLine`: the line must be the one the
 * redacting logger would write, byte for byte apart from the time, and follow its level.
 */
describe("access log", () => {
  it("writes what the redacting request logger would", async () => {
    const logs = captureLogs();
    const logger = createGatewayLogger("info", logs.stream);
    const { reqId, ...rest } = line;
    logger.child({ reqId }).info(rest, "request");
    createAccessLog(logger)(line);
    await new Promise((resolve) => setImmediate(resolve));
    const [redacted, access] = logs.lines.map((l) => ({ ...(JSON.parse(l) as Record<string, unknown>), time: 0 }));
    expect(access).toEqual(redacted);
    expect(logs.lines[1]?.replace(/"time":\d+/, "")).toBe(logs.lines[0]?.replace(/"time":\d+/, ""));
  });

  it("follows the logger's level", async () => {
    const logs = captureLogs();
    const logger = createGatewayLogger("warn", logs.stream);
    const log = createAccessLog(logger);
    log(line);
    logger.level = "info";
    log(line);
    await new Promise((resolve) => setImmediate(resolve));
    expect(logs.lines).toHaveLength(1);
  });

  it("is built from fixed fields only: no header, query string or body reaches it", async () => {
    const f = await startGateway();
    try {
      const res = await f.gateway.inject({
        method: "POST",
        url: "/video/api/video/sessions/s-1/notes?token=q-secret-1",
        headers: {
          "x-request-id": "trace-0002",
          authorization: "Bearer h-secret-2",
          "content-type": "application/json",
        },
        payload: { notes: "b-secret-3", password: "b-secret-4" },
      });
      expect(res.statusCode).toBe(200);
      const request = f.logs.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.reqId === "trace-0002" && l.msg === "request");
      expect(Object.keys(request ?? {}).sort()).toEqual(
        ["level", "time", "service", "msg", ...Object.keys(line)].sort(),
      );
      expect(request).toMatchObject({ path: "/video/api/video/sessions/s-1/notes", method: "POST", upstream: "video" });
      for (const secret of ["q-secret-1", "h-secret-2", "b-secret-3", "b-secret-4"]) {
        expect(f.logs.text()).not.toContain(secret);
      }
    } finally {
      await f.close();
    }
  });

  it("keys of accessLine are the six fixed ones", () => {
    const request = { id: "r-1", method: "GET", url: "/x?y=1", routeOptions: { config: {} } };
    const reply = { statusCode: 204, elapsedTime: 1.4 };
    expect(accessLine(request as never, reply as never)).toEqual({
      reqId: "r-1",
      method: "GET",
      path: "/x",
      status: 204,
      duration_ms: 1,
      upstream: "gateway",
    });
  });
});

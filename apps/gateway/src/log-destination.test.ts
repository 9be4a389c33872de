import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The gateway's JSON log goes to stdout synchronously (`createGatewayLogger` without a stream):
 * a line is out of the process when the call that logs it returns, so a process killed right
 * after (SIGKILL, no exit hook) has lost none. pino's own default destination is asynchronous:
 * lines wait for libuv's thread pool, and a kill takes them along (bench/README.md Finding 31).
 */
describe("the gateway's log destination", () => {
  it("has written every line before the process is killed", () => {
    const app = fileURLToPath(new URL("./app.ts", import.meta.url));
    const script = `
      const { createGatewayLogger } = await import(${JSON.stringify(app)});
      const { createAccessLog } = await import(${JSON.stringify(fileURLToPath(new URL("./access-log.ts", import.meta.url)))});
      const log = createGatewayLogger("info");
      const access = createAccessLog(log);
      for (let i = 0; i < 200; i++) {
        log.info({ i }, "line");
        access({ reqId: "req-" + i, method: "GET", path: "/video/x", status: 200, duration_ms: 1, upstream: "video" });
      }
      process.kill(process.pid, "SIGKILL");
    `;
    const child = spawnSync(
      process.execPath,
      ["--conditions=@clinic/source", "--import", "tsx", "--input-type=module", "-e", script],
      { encoding: "utf8", timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(child.signal).toBe("SIGKILL");
    const lines = child.stdout.split("\n").filter(Boolean);
    expect(lines).toHaveLength(400);
    expect(JSON.parse(lines[399] as string)).toMatchObject({ reqId: "req-199", msg: "request", service: "gateway" });
  });
});

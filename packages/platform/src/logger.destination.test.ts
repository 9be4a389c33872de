import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Every service's JSON log (`logDestination("json")` without a stream, and `createLogger`
 * without one) goes to stdout synchronously: a line is out of the process when the call that
 * logs it returns, so a process killed right after (SIGKILL, no exit hook) has lost none.
 * pino's own default destination is asynchronous: lines wait for libuv's thread pool, and a
 * kill takes them along (bench/README.md Findings 31 and 35).
 */
function linesBeforeKill(make: string): string[] {
  const platform = fileURLToPath(new URL("./index.ts", import.meta.url));
  const script = `
    const { createLogger, logDestination } = await import(${JSON.stringify(platform)});
    const log = ${make};
    for (let i = 0; i < 400; i++) log.info({ i }, "line");
    process.kill(process.pid, "SIGKILL");
  `;
  const child = spawnSync(
    process.execPath,
    ["--conditions=@clinic/source", "--import", "tsx", "--input-type=module", "-e", script],
    { encoding: "utf8", timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
  );
  expect(child.signal, child.stderr).toBe("SIGKILL");
  return child.stdout.split("\n").filter(Boolean);
}

describe("the platform's JSON log destination", () => {
  it("has written every line before the process is killed", () => {
    const lines = linesBeforeKill(`createLogger("some-service", "info", logDestination("json"))`);
    expect(lines).toHaveLength(400);
    expect(JSON.parse(lines[399] as string)).toMatchObject({ i: 399, msg: "line", service: "some-service" });
  });

  it("is the default of a logger created without a stream", () => {
    const lines = linesBeforeKill(`createLogger("some-service", "info")`);
    expect(lines).toHaveLength(400);
    expect(JSON.parse(lines[399] as string)).toMatchObject({ i: 399, msg: "line", service: "some-service" });
  });
});

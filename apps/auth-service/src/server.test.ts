import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("./server.ts", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "auth-server-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts the auth service as `npm start -w` would, and collects stdout until it listens (bounded). */
function startUntilListening(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ["--conditions=@clinic/source", "--import", "tsx", entry], {
    env: { PATH: process.env.PATH, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, SEED_DEMO: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no "listening" line within 60 s:\n${out}`)), 60_000);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      child.kill("SIGTERM");
      err ? reject(err) : resolve(out);
    };
    child.stdout.on("data", (chunk) => {
      out += String(chunk);
      if (/listening on/.test(out)) finish();
    });
    child.stderr.on("data", (chunk) => {
      out += String(chunk);
    });
    child.on("exit", (code) => finish(new Error(`exited with ${code} before listening:\n${out}`)));
  });
}

describe("the auth service started on its own", () => {
  it("writes JSON lines by default (log storage)", async () => {
    const out = await startUntilListening({});
    const line = out.split("\n").find((l) => l.includes("listening on"));
    expect(() => JSON.parse(line ?? "")).not.toThrow();
  });

  it("writes human-readable lines with LOG_FORMAT=pretty", async () => {
    const out = await startUntilListening({ LOG_FORMAT: "pretty" });
    const line = out.split("\n").find((l) => l.includes("listening on")) ?? "";
    expect(line).toMatch(/INFO.*auth-service \| auth service listening on/);
    expect(line.trimStart().startsWith("{")).toBe(false);
  });
});

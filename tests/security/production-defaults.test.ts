import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { productionDatabaseRequired } from "@clinic/platform";
import { runStack } from "@clinic/stack";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "production-defaults-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const services = ["auth-service", "appointments-service", "video-service"] as const;
type Service = (typeof services)[number];

/** What a production auth service needs besides a database (its signing keys are encrypted). */
const keyEncryptionKey = randomBytes(32).toString("base64");
const demoDoctor = { email: "doctor@demo.clinic", password: "doctor-demo" };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `args` (a script and its arguments, through tsx as `npm start` does) with only `env`
 * (and PATH/HOME) until it exits, or until `until` matches its stdout; then it is stopped
 * with SIGTERM. Bounded: 90 s, then SIGKILL and a failure.
 */
function run(args: string[], env: Record<string, string>, until?: RegExp): Promise<Run> {
  const child = spawn(process.execPath, ["--conditions=@clinic/source", "--import", "tsx", ...args], {
    cwd: root,
    // Nothing from the test runner's environment: no DATABASE_URL, NODE_ENV only as given.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATA_DIR: dataDir, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let matched = false;
  return new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")}: neither exited nor matched ${until} within 90 s\n${stdout}\n${stderr}`));
    }, 90_000);
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk);
      if (until && !matched && until.test(stdout)) {
        matched = true;
        child.kill("SIGTERM");
      }
    });
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const serverEntry = (service: Service) => `apps/${service}/src/server.ts`;
const stderrLines = (r: Run) => r.stderr.split("\n").filter((line) => line.trim() !== "");

describe("NODE_ENV=production without DATABASE_URL", () => {
  it.each(services)("%s refuses to start: exit ≠ 0 and one line naming DATABASE_URL", async (service) => {
    const result = await run([serverEntry(service)], { NODE_ENV: "production", PORT: String(await freePort()) });
    expect(result.code).not.toBe(0);
    expect(stderrLines(result)).toEqual([productionDatabaseRequired]);
    expect(productionDatabaseRequired).toMatch(/^DATABASE_URL is required when NODE_ENV=production/);
    expect(result.stdout).not.toMatch(/listening on/);
  });

  it("npm start (scripts/start.mjs) refuses before building or starting anything", async () => {
    // start.mjs runs under plain node; tsx's flags are harmless to it.
    const result = await run(["scripts/start.mjs"], { NODE_ENV: "production" });
    expect(result.code).not.toBe(0);
    expect(stderrLines(result)).toEqual([productionDatabaseRequired]);
    expect(result.stdout).toBe("");
  });

  it("the stack's own entry (apps/stack/src/main.ts, what `node apps/stack/dist/main.js` runs) refuses the same way", async () => {
    const result = await run(["apps/stack/src/main.ts"], { NODE_ENV: "production" });
    expect(result.code).not.toBe(0);
    expect(stderrLines(result)).toEqual([productionDatabaseRequired]);
    expect(result.stdout).not.toMatch(/is running/);
  });
});

describe("ALLOW_EMBEDDED_DB=1: production on the embedded database, deliberately", () => {
  const allowed = { NODE_ENV: "production", ALLOW_EMBEDDED_DB: "1", AUTH_KEY_ENCRYPTION_KEY: keyEncryptionKey };

  it.each(services)("%s starts (and stops on SIGTERM)", async (service) => {
    const result = await run(
      [serverEntry(service)],
      { ...allowed, HOST: "127.0.0.1", PORT: String(await freePort()), DATA_DIR: join(dataDir, service) },
      /listening on/,
    );
    expect(result.stdout).toMatch(/listening on/);
    expect(result.stderr).not.toContain("DATABASE_URL is required");
  });

  it("the stack starts without any demo data: the demo logins do not exist", async () => {
    const stack = await runStack({
      ports: { gateway: 0, auth: 0, appointments: 0, video: 0 },
      host: "127.0.0.1",
      dataDir: ":memory:",
      logLevel: "silent",
      env: allowed,
    });
    try {
      expect(stack.demo).toBe(false);
      const login = await fetch(`${stack.urls.auth}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(demoDoctor),
      });
      expect(login.status).toBe(401);
    } finally {
      await stack.close();
    }
  });
});

describe("SEED_DEMO=1 with NODE_ENV=production is a configuration error", () => {
  const seeded = {
    NODE_ENV: "production",
    ALLOW_EMBEDDED_DB: "1",
    SEED_DEMO: "1",
    AUTH_KEY_ENCRYPTION_KEY: keyEncryptionKey,
  };

  it.each(["auth-service", "appointments-service"] as const)("%s refuses to start", async (service) => {
    const result = await run([serverEntry(service)], { ...seeded, PORT: String(await freePort()) });
    expect(result.code).not.toBe(0);
    expect(stderrLines(result)).toEqual([
      "Invalid configuration:",
      expect.stringMatching(/^ {2}- SEED_DEMO: must not be 1 when NODE_ENV=production/),
    ]);
  });

  it("npm start refuses it too, before building anything", async () => {
    const result = await run(["scripts/start.mjs"], seeded);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/SEED_DEMO: must not be 1 when NODE_ENV=production/);
    expect(result.stdout).toBe("");
  });

  it("the stack refuses it before starting any service", async () => {
    await expect(
      runStack({ ports: { gateway: 0, auth: 0, appointments: 0, video: 0 }, dataDir: ":memory:", env: seeded }),
    ).rejects.toThrow(/SEED_DEMO: must not be 1 when NODE_ENV=production/);
  });
});

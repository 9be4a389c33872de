import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

/**
 * The production build (README, "Production build"): `npm run build` compiles each workspace
 * to dist/ and `node dist/server.js` runs it with plain Node, no tsx. Built here for the auth
 * service only (tsc -b also builds the packages it imports: contracts, platform), into the
 * real dist/ directories (git- and Biome-ignored); tsc -b skips what is up to date.
 */
const root = fileURLToPath(new URL("../", import.meta.url));
const auth = join(root, "apps", "auth-service");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs a command to its end (bounded in time); resolves with its exit code and output. */
function run(command: string, args: string[], cwd: string, timeoutMs: number) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A production-like environment: no NODE_OPTIONS (no `--import tsx`), nothing of the test runner's. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), ...extra };
  return env;
}

/** Every .js file under dir (bounded walk). */
function jsFiles(dir: string, found: string[] = [], budget = { entries: 5000 }): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (budget.entries-- <= 0) break;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) jsFiles(path, found, budget);
    else if (entry.name.endsWith(".js")) found.push(path);
  }
  return found;
}

describe("production build (auth service)", () => {
  let built: { code: number | null; output: string };
  let buildSeconds = 0;

  beforeAll(async () => {
    const started = Date.now();
    built = await run(npm, ["run", "build", "-w", "@clinic/auth-service"], root, 280_000);
    buildSeconds = (Date.now() - started) / 1000;
  }, 300_000);

  it("compiles the service and the packages it imports to dist/, with the migrations beside", () => {
    expect(built.code, built.output).toBe(0);
    process.stdout.write(`auth-service build (tsc -b, contracts + platform + auth): ${buildSeconds.toFixed(1)} s\n`);
    for (const dir of ["packages/contracts", "packages/platform", "apps/auth-service"]) {
      expect(existsSync(join(root, dir, "dist", "index.js")), `${dir}/dist/index.js`).toBe(true);
    }
    expect(existsSync(join(auth, "dist", "server.js"))).toBe(true);
    const sql = readdirSync(join(auth, "src", "migrations")).filter((f) => f.endsWith(".sql"));
    expect(sql.length).toBeGreaterThan(0);
    for (const file of sql) {
      expect(readFileSync(join(auth, "dist", "migrations", file), "utf8")).toBe(
        readFileSync(join(auth, "src", "migrations", file), "utf8"),
      );
    }
  });

  it("emits JavaScript that imports JavaScript: no .ts specifier, no tsx, no sources of other workspaces", () => {
    expect(built.code, built.output).toBe(0);
    const offending: string[] = [];
    for (const dir of ["packages/contracts", "packages/platform", "apps/auth-service"]) {
      for (const file of jsFiles(join(root, dir, "dist"))) {
        const code = readFileSync(file, "utf8");
        // Static and dynamic imports and re-exports of a relative .ts file, or of a workspace's src/.
        const bad =
          /(?:from|import)\s*\(?\s*["'](?:\.{1,2}\/[^"']*\.tsx?|@clinic\/[^"']*\/src\/[^"']*|tsx(?:\/[^"']*)?)["']/.exec(
            code,
          );
        if (bad) offending.push(`${relative(root, file)}: ${bad[0]}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it("resolves the workspace packages to their dist/ under plain Node (no @clinic/source condition)", async () => {
    expect(built.code, built.output).toBe(0);
    const script = "for (const p of ['@clinic/platform', '@clinic/contracts']) console.log(import.meta.resolve(p));";
    const { code, output } = await run(process.execPath, ["--input-type=module", "-e", script], auth, 30_000);
    expect(code, output).toBe(0);
    const resolved = output
      .trim()
      .split("\n")
      .map((url) => relative(root, fileURLToPath(url)));
    expect(resolved).toEqual([
      join("packages", "platform", "dist", "index.js"),
      join("packages", "contracts", "dist", "index.js"),
    ]);
  });

  describe("node dist/server.js", () => {
    let dataDir: string;
    let child: ChildProcess | undefined;
    let exited: Promise<number | null>;
    const output: string[] = [];
    let url = "";

    beforeAll(async () => {
      if (built.code !== 0) return;
      dataDir = mkdtempSync(join(tmpdir(), "clinic-dist-"));
      // PORT=0: the service picks a free port and logs its address.
      child = spawn(process.execPath, ["dist/server.js"], {
        cwd: auth,
        env: cleanEnv({ HOST: "127.0.0.1", PORT: "0", DATA_DIR: dataDir, LOG_FORMAT: "json", LOG_LEVEL: "info" }),
        stdio: ["ignore", "pipe", "pipe"],
      });
      const collect = (chunk: Buffer) => output.push(...String(chunk).split("\n").filter(Boolean));
      child.stdout?.on("data", collect);
      child.stderr?.on("data", collect);
      exited = new Promise((resolve) => child?.once("exit", (code) => resolve(code)));
      let gone = false;
      void exited.then(() => {
        gone = true;
      });
      await vi.waitFor(
        () => {
          if (gone) throw new Error(`the service exited during start-up:\n${output.join("\n")}`);
          const address = output
            .map((line) => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1])
            .find(Boolean);
          if (!address) throw new Error("not listening yet");
          url = address;
        },
        { timeout: 60_000, interval: 200 },
      );
    }, 90_000);

    afterAll(async () => {
      if (child && child.exitCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child?.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(killer);
      }
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }, 30_000);

    it("answers /health and /livez", async () => {
      expect(url, output.join("\n")).not.toBe("");
      for (const path of ["/health", "/livez"]) {
        const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) });
        expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
      }
      // The embedded database went where DATA_DIR said (migrations from dist/migrations ran).
      expect(statSync(join(dataDir, "auth-service")).isDirectory()).toBe(true);
    });

    it("runs as plain `node dist/server.js`: no tsx, no NODE_OPTIONS, no loader flags", () => {
      expect(child?.pid, output.join("\n")).toBeDefined();
      const pid = child?.pid as number;
      if (process.platform !== "linux") return; // /proc is Linux's
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      expect(argv.slice(1)).toEqual(["dist/server.js"]);
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      // tsx (or any loader) could only come in through NODE_OPTIONS or a flag before the script.
      expect(environ.filter((v) => v.startsWith("NODE_OPTIONS="))).toEqual([]);
    });
  });
});

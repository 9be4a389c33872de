import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { SkipScenario } from "./context.ts";
import { partExists, repoRoot } from "./paths.ts";
import { processTree, treeRss } from "./process-tree.ts";

export const stackPorts = [8000, 8080, 8082, 8086];
export const gatewayUrl = "http://127.0.0.1:8000";

/** Whether `npm start`'s fixed ports are free (another stack or a developer may hold them). */
export async function portsFree(ports = stackPorts): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (!free) busy.push(port);
  }
  return busy;
}

/**
 * Skips a scenario that runs the real `npm start` (and a browser: `browser` is its path) when
 * this machine cannot: the parts are missing, the browser is not installed, or the ports are
 * taken.
 */
export async function skipUnlessStackCanRun({ browser }: { browser: string | false }): Promise<void> {
  if (browser && !existsSync(browser)) throw new SkipScenario(`no Chromium at ${browser} (set CHROMIUM_PATH)`);
  for (const part of ["apps/stack/src/main.ts", "scripts/start.mjs", ...(browser ? ["apps/web/index.html"] : [])]) {
    if (!partExists(part)) throw new SkipScenario(`${part} is missing`);
  }
  const busy = await portsFree();
  if (busy.length) throw new SkipScenario(`ports ${busy.join(", ")} are in use; npm start needs them`);
}

/**
 * `npm start` exactly as a user runs it (`node scripts/start.mjs`, which runs the stack in a
 * child Node process), with its data in `dataDir`. Resolves once the gateway's /health
 * answers 200, reporting how long that took from spawn.
 */
export class StackProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly startupMs: number,
  ) {}

  static async start(env: Record<string, string>, timeoutMs = 180_000): Promise<StackProcess> {
    const started = performance.now();
    const child = spawn(process.execPath, [join(repoRoot, "scripts", "start.mjs")], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    // If the bench dies first, the stack must not outlive it holding the ports.
    const orphanGuard = () => child.kill("SIGTERM");
    process.once("exit", orphanGuard);
    child.once("exit", () => process.off("exit", orphanGuard));
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr = (stderr + String(chunk)).slice(-4000);
    });
    const deadline = started + timeoutMs;
    while (performance.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}: ${stderr}`);
      const healthy = await fetch(`${gatewayUrl}/health`, { signal: AbortSignal.timeout(2000) })
        .then(async (r) => {
          await r.arrayBuffer();
          return r.status === 200;
        })
        .catch(() => false);
      if (healthy) return new StackProcess(child, Math.round(performance.now() - started));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const stack = new StackProcess(child, Number.NaN);
    await stack.stop();
    throw new Error(`npm start was not healthy within ${timeoutMs} ms: ${stderr}`);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  rss() {
    return treeRss(this.pid);
  }

  /** SIGTERM (start.mjs hands it to the stack, which shuts down gracefully); SIGKILL after 20 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const tree = processTree(this.pid);
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => {
      for (const pid of tree.reverse()) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }, 20_000);
    await exited;
    clearTimeout(timer);
  }
}

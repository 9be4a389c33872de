import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import type { ChildReply, ChildRequest } from "./child-protocol.ts";

/**
 * A server under test in its own Node process, so the load generator (this process) and
 * the server do not share an event loop. The child is a `bench/servers/*.server.ts` entry
 * that uses `serveChild`; they talk over the IPC channel.
 */
export class ChildServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly info: Record<string, unknown>,
  ) {}

  static async start(
    entry: string,
    params: Record<string, unknown> = {},
    timeoutMs = 120_000,
    /** Extra Node flags for this child (e.g. `--cpu-prof`). */
    nodeFlags: string[] = [],
  ): Promise<ChildServer> {
    const child = fork(entry, [], {
      execArgv: ["--conditions=@clinic/source", "--import", "tsx", "--expose-gc", ...nodeFlags],
      // Service logs (pino, stdout) are written as in production but thrown away;
      // failures come back over IPC and stderr.
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      env: { ...process.env },
    });
    const ready = await waitFor(child, { type: "start", params }, "ready", timeoutMs).catch((err: Error) => {
      child.kill("SIGKILL");
      throw err;
    });
    if (ready.type !== "ready") throw new Error("child did not report ready");
    return new ChildServer(child, ready.port, ready.info);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resident set size right now, read from /proc without waking the child. */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    if (!kb) throw new Error(`no VmRSS for pid ${this.pid}`);
    return Number(kb) * 1024;
  }

  /** Runs a full GC in the child, then reports its memory (so deltas are not garbage). */
  async memoryAfterGc(): Promise<{ rss: number; heapUsed: number }> {
    const reply = await waitFor(this.child, { type: "gc" }, "memory", 30_000);
    if (reply.type !== "memory") throw new Error("unexpected reply");
    return { rss: reply.rss, heapUsed: reply.heapUsed };
  }

  /** Asks the child for something scenario-specific (seeding, a token, ...). */
  async call(name: string, args: Record<string, unknown> = {}, timeoutMs = 300_000): Promise<unknown> {
    const reply = await waitFor(this.child, { type: "call", name, args }, "result", timeoutMs);
    if (reply.type !== "result") throw new Error("unexpected reply");
    return reply.value;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.send({ type: "stop" } satisfies ChildRequest);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

function waitFor(child: ChildProcess, request: ChildRequest, expect: ChildReply["type"], timeoutMs: number) {
  return new Promise<ChildReply>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`child ${request.type} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (raw: unknown) => {
      const message = raw as ChildReply;
      if (message.type === "error") {
        cleanup();
        reject(new Error(`child: ${message.message}`));
      } else if (message.type === expect) {
        cleanup();
        resolve(message);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child exited (code ${code}) during ${request.type}`));
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
    child.send(request);
  });
}

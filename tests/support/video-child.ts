import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { eventually } from "@clinic/platform/testing";

const entry = fileURLToPath(new URL("./video-server.ts", import.meta.url));
const root = fileURLToPath(new URL("../../", import.meta.url));

/** A free port on 127.0.0.1 (the child must be told its port before it starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface VideoChild {
  url: string;
  process: ChildProcess;
  /** Every stdout/stderr line (JSON log lines). */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the video service in its own Node process and waits (≤ 60 s) until /health is 200. */
export async function startVideoChild(env: Record<string, string | undefined>, port?: number): Promise<VideoChild> {
  const listenPort = port ?? (await freePort());
  const child = spawn(process.execPath, ["--conditions=@clinic/source", "--import", "tsx", entry], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: "127.0.0.1",
      PORT: String(listenPort),
      // Load shedding off unless a test asks for it: parallel suites stall a test machine's
      // event loop, and a 503 UNDER_PRESSURE would fail what the test is not about.
      MAX_EVENT_LOOP_DELAY_MS: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...String(chunk).split("\n").filter(Boolean));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${listenPort}`;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  await eventually(
    "the video service child to be healthy",
    async () => {
      if (gone) throw new Error(`video service exited during start-up:\n${output.join("\n")}`);
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      return response?.status === 200;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  return {
    url,
    process: child,
    output,
    exited,
    kill: async (signal) => {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}

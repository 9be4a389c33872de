import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "@clinic/platform/testing";
import { describe } from "vitest";
import { describeInBrowser } from "./browser.ts";

/** Debian's coturn (`apt-get install -y coturn`); the tests start their own server. */
export const turnserverPath = process.env.TURNSERVER_PATH ?? "/usr/bin/turnserver";

/**
 * `describeInBrowser` for suites that also need coturn. Without `turnserver` the suite is
 * skipped with one line saying how to install it, except under REQUIRE_E2E=1 (CI), where it
 * fails: a relay test must never pass by not running.
 */
export function describeInBrowserWithTurn(name: string, body: () => void): void {
  if (existsSync(turnserverPath)) {
    describeInBrowser(name, body);
    return;
  }
  if (process.env.REQUIRE_E2E === "1") {
    throw new Error(`REQUIRE_E2E=1 but there is no turnserver at ${turnserverPath}: apt-get install -y coturn`);
  }
  process.stderr.write("TURN tests skipped: install coturn with `apt-get install -y coturn`\n");
  describe.skip(name, body);
}

export interface LocalTurn {
  /** What TURN_URLS takes: turn:127.0.0.1:<port>?transport=udp. */
  url: string;
  /** coturn's static-auth-secret (TURN_SECRET). */
  secret: string;
  /** coturn's output so far (for a failing test's message). */
  output: string[];
  stop(): Promise<void>;
}

/** A port free for both UDP and TCP on 127.0.0.1 (coturn listens on both). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const udp = createSocket("udp4");
    const free = await new Promise<boolean>((resolve) => {
      udp.once("error", () => resolve(false));
      udp.bind(port, "127.0.0.1", () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (free) return port;
  }
  throw new Error("no port free for both UDP and TCP on 127.0.0.1");
}

/** One STUN Binding request over UDP (RFC 5389): true when a Binding success response comes back. */
function stunAnswers(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    const transaction = randomBytes(12);
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding request
    request.writeUInt16BE(0, 2); // no attributes
    request.writeUInt32BE(0x2112a442, 4); // magic cookie
    transaction.copy(request, 8);
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on("error", () => done(false));
    socket.on("message", (message) => {
      if (message.length >= 20 && message.readUInt16BE(0) === 0x0101 && message.subarray(8, 20).equals(transaction)) {
        done(true);
      }
    });
    socket.send(request, port, "127.0.0.1");
  });
}

/** util-linux (always on Debian): runs coturn tied to this process's life. */
const setprivPath = "/usr/bin/setpriv";

const running = new Set<ChildProcess>();
// A crashed or interrupted test run must not leave a TURN server behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * coturn on 127.0.0.1 and a free port, self-contained (no config file, its database, pid file
 * and nothing else in a temp directory; no TLS, no CLI), with TURN REST credentials
 * (use-auth-secret) under a random secret — what TURN_SECRET signs. Loopback peers are allowed,
 * since both browsers of a test live on 127.0.0.1 (never in production). Waits (≤ 15 s) until
 * it answers a STUN Binding request.
 */
export async function startTurnServer(): Promise<LocalTurn> {
  const port = await freePort();
  const secret = randomBytes(24).toString("hex");
  const dir = mkdtempSync(join(tmpdir(), "clinic-turn-"));
  // Under setpriv --pdeathsig the kernel kills coturn when the test process dies, even by a
  // signal that skips the exit handler below (an interrupted run, a killed Vitest worker).
  const pdeathsig = existsSync(setprivPath) ? [setprivPath, "--pdeathsig", "KILL", "--"] : [];
  const [command, ...prefix] = [...pdeathsig, turnserverPath];
  const child = spawn(
    command!,
    [
      ...prefix,
      "-n",
      "--listening-ip=127.0.0.1",
      `--listening-port=${port}`,
      "--relay-ip=127.0.0.1",
      "--use-auth-secret",
      `--static-auth-secret=${secret}`,
      "--realm=clinic.test",
      "--fingerprint",
      "--no-tls",
      "--no-dtls",
      "--no-cli",
      "--allow-loopback-peers",
      "--no-software-attribute",
      `--userdb=${join(dir, "turndb")}`,
      `--pidfile=${join(dir, "turnserver.pid")}`,
      "--log-file=stdout",
      "--simple-log",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(child);
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    output.push(...String(chunk).split("\n").filter(Boolean));
    if (output.length > 500) output.splice(0, output.length - 500);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      gone = true;
      running.delete(child);
      resolve();
    }),
  );
  child.once("error", (err) => output.push(`spawn failed: ${err.message}`));
  const stop = async () => {
    if (!gone) {
      child.kill("SIGTERM");
      const killed = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(killed);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(
      "turnserver to answer STUN",
      async () => {
        if (gone) throw new Error(`turnserver exited during start-up:\n${output.join("\n")}`);
        return stunAnswers(port);
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `turn:127.0.0.1:${port}?transport=udp`, secret, output, stop };
}

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const fixture = fileURLToPath(new URL("./tracing/event-in-request.ts", import.meta.url));
const recorder = fileURLToPath(new URL("./tracing/record-otel-imports.mjs", import.meta.url));

interface FixtureResult {
  tracing: boolean;
  status: number;
  received: { id: string; traceparent?: string }[];
  /** Every @opentelemetry module the child's ESM loader resolved. */
  otelModules: string[];
}

/**
 * Runs tracing/event-in-request.ts in its own Node process, as a service runs (tracing
 * initialised first, then the whole stack's modules imported), with a loader hook that
 * records each OpenTelemetry module resolved. Bounded: killed after 100 s.
 */
async function runFixture(env: Record<string, string>): Promise<FixtureResult> {
  const dir = mkdtempSync(join(tmpdir(), "tracing-fixture-"));
  const log = join(dir, "otel-imports.log");
  try {
    const child = spawn(
      process.execPath,
      ["--conditions=@clinic/source", "--import", "tsx", "--import", recorder, fixture],
      {
        cwd: root,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, OTEL_IMPORTS_LOG: log, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const kill = setTimeout(() => child.kill("SIGKILL"), 100_000);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearTimeout(kill);
    expect(code, stderr).toBe(0);
    const last = stdout.trim().split("\n").at(-1) ?? "";
    const otelModules = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
    return { ...(JSON.parse(last) as Omit<FixtureResult, "otelModules">), otelModules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("tracing in a service process", () => {
  const exports: { path: string; contentType: string; body: Buffer }[] = [];
  let collector: Server | undefined;
  afterAll(async () => {
    await new Promise((resolve) => (collector ? collector.close(resolve) : resolve(undefined)));
  });

  it("is off by default: nothing from @opentelemetry is loaded and events carry no traceparent", {
    timeout: 120_000,
  }, async () => {
    const result = await runFixture({});
    expect(result.tracing).toBe(false);
    expect(result.status).toBe(200);
    expect(result.received).toHaveLength(1);
    expect(result.received[0]).not.toHaveProperty("traceparent");
    expect(result.otelModules).toEqual([]);
  });

  it("is on with OTEL_EXPORTER_OTLP_ENDPOINT: the event carries the request's trace, spans go out as OTLP/protobuf", {
    timeout: 120_000,
  }, async () => {
    // A stand-in OTLP collector on loopback.
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        exports.push({
          path: req.url ?? "",
          contentType: String(req.headers["content-type"]),
          body: Buffer.concat(chunks),
        });
        res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      });
    });
    const server = collector;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };

    const result = await runFixture({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(result.tracing).toBe(true);
    expect(result.status).toBe(200);
    // The check above can fail: with tracing on, the SDK shows up in the record.
    expect(result.otelModules.some((url) => url.includes("/@opentelemetry/sdk-node/"))).toBe(true);
    const traceparent = result.received[0]?.traceparent;
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    // Flushed at shutdown, to the standard path, in the default protocol (http/protobuf).
    expect(exports.length).toBeGreaterThan(0);
    expect(exports.every((e) => e.path === "/v1/traces" && e.contentType === "application/x-protobuf")).toBe(true);
    const all = Buffer.concat(exports.map((e) => e.body));
    expect(all.includes("tracing-fixture")).toBe(true); // service.name
    expect(all.includes("POST /things")).toBe(true); // the HTTP server span, named by its route
    expect(all.includes("process fixture.happened")).toBe(true); // the consumer's span
    // The trace id of the event's traceparent is in the export (protobuf bytes, not hex).
    const traceId = Buffer.from(traceparent?.split("-")[1] ?? "", "hex");
    expect(all.includes(traceId)).toBe(true);
  });
});

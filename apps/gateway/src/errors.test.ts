import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { toErrorBody } from "@clinic/platform";
import { describe, expect, it } from "vitest";
import {
  RouteNotFound,
  TooManyWebSockets,
  UpstreamTimeout,
  UpstreamUnavailable,
  WebSocketClose,
  WebSocketNotSupported,
} from "./errors.ts";

const srcDir = fileURLToPath(new URL(".", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "testing" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("gateway errors", () => {
  it("render the platform's {error, status, code} shape", () => {
    expect(toErrorBody(new UpstreamUnavailable("video"))).toEqual({
      error: "The video service is unavailable, try again shortly",
      status: 502,
      code: "UPSTREAM_UNAVAILABLE",
    });
    expect(toErrorBody(new UpstreamTimeout("auth"))).toMatchObject({ status: 504, code: "UPSTREAM_TIMEOUT" });
    expect(toErrorBody(new RouteNotFound("GET", "/x"))).toMatchObject({ status: 404, code: "ROUTE_NOT_FOUND" });
    expect(toErrorBody(new WebSocketNotSupported("/auth"))).toMatchObject({ status: 400 });
    expect(toErrorBody(new TooManyWebSockets(20))).toMatchObject({ status: 429, limit: 20 });
  });

  it("use only the WebSocket close codes RFC 6455 defines for a server", () => {
    for (const { code } of Object.values(WebSocketClose)) expect([1001, 1008, 1009, 1011, 1013]).toContain(code);
  });

  it("are all created in errors.ts: no other gateway module builds an error answer inline", () => {
    for (const file of sourceFiles(srcDir).filter((f) => !f.endsWith("errors.ts"))) {
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toMatch(/new AppError\(/);
      expect(text, file).not.toMatch(/\bcode:\s*"[A-Z_]+"/);
      expect(text, file).not.toMatch(/\.close\(\s*10\d\d/);
    }
  });
});

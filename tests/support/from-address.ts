import { request } from "node:http";
import type { Reply } from "./http.ts";

/**
 * A JSON call from a chosen loopback source address (127.0.0.2, 127.0.0.3, ...: all of
 * 127/8 is this machine on Linux), so that a server sees distinct clients without leaving
 * 127.0.0.1's host. Bounded in time.
 */
export function callFrom(
  localAddress: string,
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Reply> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method,
        localAddress,
        timeout: options.timeoutMs ?? 15_000,
        headers: {
          accept: "application/json",
          ...(payload !== undefined ? { "content-type": "application/json" } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: Record<string, unknown> = {};
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            body = { raw: text };
          }
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
          resolve({ status: res.statusCode ?? 0, headers, body, text });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

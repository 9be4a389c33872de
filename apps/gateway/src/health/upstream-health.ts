import type { App } from "@clinic/platform";
import type { InstanceReport } from "../proxy/upstream-pool.ts";
import type { UpstreamTarget } from "../proxy/upstream-proxy.ts";

export interface UpstreamStatus {
  status: "UP" | "DOWN";
  /** The upstream's own /health status code, when it answered. */
  http_status?: number;
  /** Why it is down when it did not answer: UNREACHABLE or TIMEOUT. */
  reason?: "UNREACHABLE" | "TIMEOUT";
  /** The upstream's own dependency checks (database, bus), when it reported them. */
  checks?: Record<string, string>;
  /** A balanced upstream: each instance as the gateway's own checks last saw it. */
  instances?: InstanceReport[];
}

/**
 * `GET /health`: the gateway is only as healthy as the services behind it, so it asks each
 * upstream's `/health` in parallel and answers 503 when any of them is down. A balanced
 * upstream (several instances) is reported as its pool sees it, each instance by position and
 * id (never its internal URL: this is public) with its rotation status and last check, and is UP while at least one instance is in rotation: the
 * service still answers then.
 */
export function registerUpstreamHealth(app: App, targets: UpstreamTarget[], timeoutMs: number): void {
  app.get(
    "/health",
    {
      schema: {
        operationId: "getGatewayHealth",
        tags: ["health"],
        security: [],
        summary: "Gateway and upstream status",
      },
    },
    async (request, reply) => {
      const results = await Promise.all(
        targets.map(
          async (t) => [t.route.name, t.pool ? t.pool.report() : await probe(t.url, timeoutMs, request.id)] as const,
        ),
      );
      const upstreams = Object.fromEntries(results);
      const checks = Object.fromEntries(results.map(([name, s]) => [name, s.status]));
      const up = results.every(([, s]) => s.status === "UP");
      return reply.status(up ? 200 : 503).send({ status: up ? "UP" : "DOWN", service: "gateway", checks, upstreams });
    },
  );
}

async function probe(baseUrl: string, timeoutMs: number, requestId: string): Promise<UpstreamStatus> {
  try {
    const response = await fetch(new URL("/health", baseUrl), {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: "application/json", "x-request-id": requestId },
    });
    const body = (await response.json().catch(() => undefined)) as { checks?: Record<string, string> } | undefined;
    const checks = body && typeof body.checks === "object" && body.checks ? body.checks : undefined;
    return { status: response.ok ? "UP" : "DOWN", http_status: response.status, ...(checks ? { checks } : {}) };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return { status: "DOWN", reason: timedOut ? "TIMEOUT" : "UNREACHABLE" };
  }
}

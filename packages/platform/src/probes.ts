import { Type } from "typebox";
import type { App } from "./server.ts";
import { withTimeout } from "./timeout.ts";

export interface ProbeCheck {
  name: string;
  check: () => Promise<void>;
  /**
   * Reported but not deciding: the instance stays ready while it is down (e.g. the video
   * service's event bus, whose events wait in the outbox). Default: deciding.
   */
  informational?: boolean;
}

export interface ProbeOptions {
  /** What readiness waits for: the same checks as the service's `/health`. */
  checks: ProbeCheck[];
  /** Unique across the services' OpenAPI documents, e.g. `getAuthLiveness` / `getAuthReadiness`. */
  operationIds: { liveness: string; readiness: string };
  /** Tag the routes appear under in the OpenAPI document; default `health`. */
  tag?: string;
}

const checkTimeoutMs = 2000;

const Checks = Type.Record(Type.String(), Type.Union([Type.Literal("UP"), Type.Literal("DOWN")]));
const LiveBody = Type.Object({ status: Type.Literal("UP") });
const ReadyBody = Type.Object({ status: Type.Literal("UP"), checks: Checks });
/** NOT_READY with the checks; also UNDER_PRESSURE or SHUTTING_DOWN, from the platform's hooks. */
const NotReadyBody = Type.Object({
  error: Type.String(),
  status: Type.Integer(),
  code: Type.String(),
  checks: Type.Optional(Checks),
});

/**
 * Kubernetes-style probes beside `/health` (which keeps its own shape):
 * - `GET /livez`: the process answers; no dependency is asked, so a database outage never
 *   gets a healthy process restarted. Exempt from under-pressure. 503 only while shutting down.
 * - `GET /readyz`: the deciding checks pass, else 503 `NOT_READY` naming the failing ones, so
 *   a load balancer sends traffic elsewhere until they recover.
 */
export function registerProbes(app: App, options: ProbeOptions): void {
  const tags = [options.tag ?? "health"];
  app.get(
    "/livez",
    {
      schema: {
        operationId: options.operationIds.liveness,
        tags,
        security: [],
        summary: "Liveness: the process answers (no dependency checked)",
        response: { 200: LiveBody },
      },
      // A stalled event loop makes the service shed load, not get restarted.
      config: { pressureHandler: () => undefined },
    },
    async () => ({ status: "UP" as const }),
  );
  app.get(
    "/readyz",
    {
      schema: {
        operationId: options.operationIds.readiness,
        tags,
        security: [],
        summary: "Readiness: the dependencies this instance needs answer",
        response: { 200: ReadyBody, 503: NotReadyBody },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        options.checks.map(async ({ name, check, informational }) => ({
          name,
          informational: informational === true,
          up: await withTimeout(check(), checkTimeoutMs).then(
            () => true,
            () => false,
          ),
        })),
      );
      const checks: Record<string, "UP" | "DOWN"> = Object.fromEntries(
        results.map((r) => [r.name, r.up ? ("UP" as const) : ("DOWN" as const)]),
      );
      const failing = results.filter((r) => !r.up && !r.informational).map((r) => r.name);
      if (failing.length === 0) return reply.send({ status: "UP", checks });
      return reply
        .code(503)
        .header("retry-after", "5")
        .send({ error: `Not ready: ${failing.join(", ")} unavailable`, status: 503, code: "NOT_READY", checks });
    },
  );
}

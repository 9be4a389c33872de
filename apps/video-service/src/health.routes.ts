import { type App, type EventBus, withTimeout } from "@clinic/platform";
import type { AppointmentsClient } from "./appointments/appointments.client.ts";

type Check = "UP" | "DOWN";
const check = (p: Promise<unknown>): Promise<Check> =>
  withTimeout(p, 2000).then(
    () => "UP" as const,
    () => "DOWN" as const,
  );

/**
 * GET /health. The database decides the status (without it nothing works); the
 * appointments service and the event bus are reported too, but a start that needs the
 * appointments service answers 503 itself, and events wait in the outbox, so they do not
 * take this instance out of rotation. With replicas, `instance` says which one answered and
 * `signalling_fanout` whether it reaches Redis (every instance shares that one, so it is
 * reported, not deciding either).
 */
export function healthRoutes(
  app: App,
  deps: {
    database: { ping(): Promise<void> };
    appointments: AppointmentsClient;
    bus: EventBus;
    instanceId: string;
    /** Whether the signalling fan-out is up; absent with one instance. */
    fanout?: () => boolean;
  },
): void {
  app.get(
    "/health",
    {
      schema: {
        operationId: "getVideoHealth",
        tags: ["health"],
        security: [],
        summary: "Liveness; database status decides",
      },
    },
    async (_request, reply) => {
      const [database, appointments, eventBus] = await Promise.all([
        check(deps.database.ping()),
        check(deps.appointments.ping()),
        check(deps.bus.ping()),
      ]);
      const status = database === "UP" ? "UP" : "DOWN";
      const checks = {
        database,
        appointments,
        event_bus: eventBus,
        ...(deps.fanout ? { signalling_fanout: deps.fanout() ? "UP" : "DOWN" } : {}),
      };
      return reply
        .status(status === "UP" ? 200 : 503)
        .send({ status, service: "video-service", instance: deps.instanceId, checks });
    },
  );
}

import { randomBytes } from "node:crypto";
import { type EventBus, InProcessBus, RabbitMqBus } from "@clinic/platform";
import { captureLogs, deleteBrokerObjects } from "@clinic/platform/testing";
import pino from "pino";

export const amqpUrl = process.env.AMQP_URL;
export const databaseUrl = process.env.DATABASE_URL;
export const backend = `${databaseUrl ? "PostgreSQL" : "PGlite"}, ${amqpUrl ? "RabbitMQ" : "in-process bus"}`;

/**
 * A broker topology private to one test: a unique exchange and queue prefix on the shared
 * RabbitMQ (deleted by `cleanup`), or nothing at all for the in-process bus.
 */
export function busTopology(name: string) {
  const run = `${name}-${randomBytes(4).toString("hex")}`;
  const exchange = `test.suites.${run}`;
  const queuePrefix = `test-suites-${run}-`;
  const buses: EventBus[] = [];
  /** What the RabbitMQ buses logged (connection lost, connected again, ...). */
  const logs = captureLogs();
  const logger = pino({ level: "info" }, logs.stream);
  return {
    logs,
    exchange,
    queuePrefix,
    /** A bus on this topology (a new connection each call) or one shared in-process bus. */
    async connect(): Promise<EventBus> {
      if (!amqpUrl) {
        const bus = buses[0] ?? new InProcessBus({ retryDelayMs: 5 });
        if (!buses.includes(bus)) buses.push(bus);
        return bus;
      }
      const bus = await RabbitMqBus.connect({
        url: amqpUrl,
        logger,
        exchange,
        queuePrefix,
        retryDelayMs: 50,
        reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
      });
      buses.push(bus);
      return bus;
    },
    /** The buses handed out so far (fault tests sever their connections). */
    buses: () => [...buses],
    async cleanup(): Promise<void> {
      for (const bus of buses) await bus.close().catch(() => undefined);
      if (!amqpUrl) return;
      const queues = ["appointments-service", "video-service"].map((service) => `${queuePrefix}${service}`);
      await deleteBrokerObjects(amqpUrl, exchange, queues);
    },
  };
}

import type { Logger } from "pino";
import type { EventBus } from "./event-bus.ts";
import { InProcessBus } from "./in-process-bus.ts";
import { RabbitMqBus, type RabbitMqBusOptions } from "./rabbitmq-bus.ts";

export interface CreateEventBusOptions extends Omit<RabbitMqBusOptions, "url"> {
  /** `AMQP_URL`; unset → the in-process bus (embedded mode). */
  amqpUrl?: string | undefined;
  logger?: Logger;
}

/** The one place that picks the bus: RabbitMQ when a broker URL is configured, else in-process. */
export async function createEventBus(options: CreateEventBusOptions): Promise<EventBus> {
  const { amqpUrl, ...rest } = options;
  if (amqpUrl) return RabbitMqBus.connect({ ...rest, url: amqpUrl });
  return new InProcessBus({
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.retryDelayMs ? { retryDelayMs: options.retryDelayMs } : {}),
  });
}

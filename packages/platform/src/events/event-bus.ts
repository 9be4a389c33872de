import { randomUUID } from "node:crypto";

/** CloudEvents 1.0 structured JSON (design.md §6). */
export interface CloudEvent<T = unknown> {
  specversion: "1.0";
  id: string;
  source: string;
  type: string;
  time: string;
  datacontenttype: "application/json";
  subject?: string;
  data: T;
}

export function makeEvent<T>(type: string, source: string, data: T, subject?: string): CloudEvent<T> {
  return {
    specversion: "1.0",
    id: randomUUID(),
    source,
    type,
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    ...(subject ? { subject } : {}),
    data,
  };
}

export type EventHandler = (event: CloudEvent) => Promise<void>;

/**
 * The seam between services and the broker. Delivery is at-least-once: `publish` resolves
 * only once the bus has taken responsibility for the event (RabbitMQ: publisher confirm),
 * and a handler that throws gets the event again, up to a limit, then it is dead-lettered.
 */
export interface EventBus {
  readonly kind: "in-process" | "rabbitmq";
  publish(event: CloudEvent): Promise<void>;
  /** `queue` names the consuming service; `types` are routing keys (event types). */
  subscribe(queue: string, types: string[], handler: EventHandler): Promise<void>;
  /** Throws when the bus cannot currently deliver (used by /health). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

import { EventCatalogue, type EventData, type EventType } from "@clinic/contracts";
import { Compile } from "typebox/compile";
import { envelope } from "./envelope.ts";

/** CloudEvents 1.0 structured JSON. */
export interface CloudEvent<T = unknown> {
  specversion: "1.0";
  id: string;
  source: string;
  type: string;
  time: string;
  datacontenttype: "application/json";
  subject?: string;
  /**
   * CloudEvents Distributed Tracing extension (W3C Trace Context), set at enqueue when
   * tracing is on (tracing.ts); events without it are handled the same.
   */
  traceparent?: string;
  tracestate?: string;
  data: T;
}

/** An event of the catalogue (contracts' events.ts): its type names the shape of its data. */
export type CatalogueEvent<K extends EventType> = CloudEvent<EventData<K>> & { type: K };

/** The one way services build an event: the catalogue types `data` by `type`, so a wrong payload does not compile. */
export function makeEvent<K extends EventType>(
  type: K,
  source: string,
  data: EventData<K>,
  subject?: string,
): CatalogueEvent<K> {
  return envelope(type, source, data, subject);
}

// Compiled once: every consumed event is checked against its schema.
const validators = new Map(Object.entries(EventCatalogue).map(([type, schema]) => [type, Compile(schema)]));

/**
 * The data of an incoming event of type `type`, checked against the catalogue's schema;
 * undefined when the event is of another type or its data does not match. Events arrive
 * from other services through the broker: consumers check them, never trust them.
 */
export function eventData<K extends EventType>(event: CloudEvent, type: K): EventData<K> | undefined {
  if (event.type !== type) return undefined;
  // The validator of `type` is compiled from EventCatalogue[type], whose Static is EventData<K>.
  return validators.get(type)?.Check(event.data) ? (event.data as EventData<K>) : undefined;
}

export type EventHandler = (event: CloudEvent) => Promise<void>;

/**
 * A publish refused because no consumer is bound for the event's type yet: its service not
 * deployed or not started yet, or a broker that lost its definitions. Neither the event's
 * fault nor an outage of the bus: the outbox relay counts no attempt and never parks it; the
 * event waits, retried with backoff, until a consumer binds.
 */
export class EventUnroutableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EventUnroutableError";
  }
}

/**
 * Largest serialised event either bus takes. Events carry identifiers and a few fields; the
 * limit sits far below RabbitMQ's `max_message_size` (16 MiB from RabbitMQ 4), whose breach
 * closes the channel — which the relay would take for an outage, holding up every event.
 * Refused here instead, the event is at fault: counted, and parked.
 */
export const maxEventBytes = 1024 * 1024;

/**
 * The bytes a bus sends for `event`. Throws a plain Error (the event's own fault: the outbox
 * counts it and parks the event after repeated refusals) when it cannot be serialised or is
 * larger than `maxEventBytes`; the message never quotes the event.
 */
export function serialiseEvent(event: CloudEvent): Buffer {
  let text: string | undefined;
  try {
    text = JSON.stringify(event);
  } catch {
    // Not the error's message: it can quote the event (a BigInt's value, a circular key).
  }
  if (typeof text !== "string") throw new Error(`event ${String(event.id)} cannot be serialised`);
  const body = Buffer.from(text, "utf8");
  if (body.length > maxEventBytes) {
    throw new Error(`event ${String(event.id)} is ${body.length} bytes, above the limit of ${maxEventBytes}`);
  }
  return body;
}

/**
 * A publish refused because the bus itself cannot take events now (broker disconnected, no
 * confirm in time, bus closed), whatever the event. The outbox relay does not count it
 * against the event: an outage must not park every event written meanwhile. (Refusals for no
 * consumer of the type are `EventUnroutableError`; any other error is the event's own fault.)
 */
export class EventBusUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EventBusUnavailableError";
  }
}

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
  /** Events of `queue` (as given to `subscribe`) given up on and dead-lettered, now held (metrics). */
  deadLetterCount(queue: string): Promise<number>;
  close(): Promise<void>;
}

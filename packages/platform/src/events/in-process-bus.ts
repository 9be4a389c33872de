import type { Logger } from "pino";
import { eventTracing } from "../tracing.ts";
import {
  type CloudEvent,
  type EventBus,
  EventBusUnavailableError,
  type EventHandler,
  EventUnroutableError,
  serialiseEvent,
} from "./event-bus.ts";

interface Subscription {
  queue: string;
  types: Set<string>;
  handler: EventHandler;
}

export interface InProcessBusOptions {
  logger?: Logger;
  /** Deliveries before an event is dead-lettered. */
  maxAttempts?: number;
  retryDelayMs?: number;
}

/**
 * The embedded bus: every service in one process shares it. Handlers run after `publish`
 * returns (as with a broker), failures are retried with a delay and then kept in
 * `deadLetters` and logged, never dropped silently. It refuses what the RabbitMQ bus refuses:
 * an event of a type nobody subscribes to (EventUnroutableError), an event larger than
 * `maxEventBytes` or that cannot be serialised (a plain Error).
 *
 * Not durable: `publish` resolves before the handlers commit (awaiting them would hold the
 * publisher's outbox transaction while the consumer, in the same process, may be waiting on
 * its own relay — a deadlock across the embedded services). A crash in that window loses the
 * delivery; production uses the RabbitMQ bus, where the broker's confirm closes it.
 */
export class InProcessBus implements EventBus {
  readonly kind = "in-process" as const;
  readonly deadLetters: { queue: string; event: CloudEvent; error: string }[] = [];
  readonly #subscriptions: Subscription[] = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #maxAttempts: number;
  readonly #retryDelayMs: number;
  #closed = false;

  constructor(private readonly options: InProcessBusOptions = {}) {
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#retryDelayMs = options.retryDelayMs ?? 200;
  }

  async publish(event: CloudEvent): Promise<void> {
    if (this.#closed) throw new EventBusUnavailableError("event bus is closed");
    // A copy per subscriber, as a broker would deliver: handlers cannot affect each other.
    const copy = serialiseEvent(event).toString("utf8");
    const targets = this.#subscriptions.filter((sub) => sub.types.has(event.type));
    // Like the RabbitMQ bus with no queue bound (mandatory publish), refuse rather than drop:
    // the outbox keeps the event, never parks it, and retries until a consumer subscribes.
    if (targets.length === 0) throw new EventUnroutableError(`no subscriber for ${event.type}`);
    for (const sub of targets) this.#track(this.#deliver(sub, JSON.parse(copy) as CloudEvent));
  }

  async subscribe(queue: string, types: string[], handler: EventHandler): Promise<void> {
    this.#subscriptions.push({ queue, types: new Set(types), handler });
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error("event bus is closed");
  }

  async deadLetterCount(queue: string): Promise<number> {
    return this.deadLetters.filter((d) => d.queue === queue).length;
  }

  /** Resolves when every delivery in flight has finished (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async close(): Promise<void> {
    await this.drain();
    this.#closed = true;
  }

  #track(p: Promise<void>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  async #deliver(sub: Subscription, event: CloudEvent): Promise<void> {
    await new Promise((r) => setImmediate(r));
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      try {
        await eventTracing.consume(event, this.kind, sub.queue, () => sub.handler(event));
        return;
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        // The error object (serialized to type, code and message): a handler's database
        // error can quote the event's data in its message.
        this.options.logger?.warn(
          { queue: sub.queue, type: event.type, eventId: event.id, attempt, err },
          "event handler failed",
        );
        if (attempt === this.#maxAttempts) {
          this.deadLetters.push({ queue: sub.queue, event, error });
          this.options.logger?.error({ queue: sub.queue, type: event.type, eventId: event.id }, "event dead-lettered");
          return;
        }
        await new Promise((r) => setTimeout(r, this.#retryDelayMs * attempt));
      }
    }
  }
}

/*
 * Over 150 lines on purpose: connection life cycle, topology, publishing with confirms and
 * consuming with retries/dead-lettering share one piece of state (the current channel) and
 * are easier to check for correctness side by side than spread over files.
 */
import { EVENTS_EXCHANGE } from "@clinic/contracts";
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from "amqplib";
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

export interface RabbitMqBusOptions {
  url: string;
  logger?: Logger;
  /** Durable topic exchange every service publishes to (default EVENTS_EXCHANGE); routing key = event type. */
  exchange?: string;
  /** Where a message goes after `maxAttempts` failed deliveries; default `<exchange>.dlx`. */
  deadLetterExchange?: string;
  /**
   * Prepended to every queue name this bus declares. Tests on a shared broker use a unique
   * prefix so their durable queues never collide with another run's; production leaves it empty.
   */
  queuePrefix?: string;
  /** Unacknowledged deliveries per consumer (bounds memory and concurrency). */
  prefetch?: number;
  /** Handler attempts before the message is dead-lettered to `<queue>.dlq`. */
  maxAttempts?: number;
  /** Wait before retry n is `retryDelayMs * n` (at most 10 s). */
  retryDelayMs?: number;
  /** Reconnect backoff: doubles from `initialDelayMs` up to `maxDelayMs`. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** `connect()` gives up when the broker has not answered for this long (start-up only). */
  connectTimeoutMs?: number;
  /** A publish not confirmed within this time rejects (broker blocked by a resource alarm). */
  publishTimeoutMs?: number;
}

interface Subscription {
  queue: string;
  types: string[];
  handler: EventHandler;
}

interface Link {
  model: ChannelModel;
  channel: ConfirmChannel;
  consumerTags: string[];
  /** messageIds the broker returned as unroutable (basic.return arrives before the confirm). */
  returned: Set<string>;
}

/** Header carrying the delivery attempt of a republished message. */
export const ATTEMPT_HEADER = "x-clinic-attempt";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * The production bus. Topology: a durable topic exchange, one durable queue
 * per consuming service bound by event type, a direct dead-letter exchange routing to
 * `<queue>.dlq`. Publishing uses a confirm channel, so `publish` resolves only once the broker
 * has taken the (persistent, mandatory) message; while disconnected it rejects and the outbox
 * keeps the event. A delivery is acked only after the handler resolved (its transaction
 * committed); a failure is republished with an attempt header after a delay, and after
 * `maxAttempts` rejected without requeue, which the queue dead-letters.
 */
export class RabbitMqBus implements EventBus {
  readonly kind = "rabbitmq" as const;
  readonly exchange: string;
  readonly deadLetterExchange: string;
  readonly #subscriptions: Subscription[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #link: Link | undefined;
  #connecting: Promise<void> | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;

  private constructor(private readonly options: RabbitMqBusOptions) {
    this.exchange = options.exchange ?? EVENTS_EXCHANGE;
    this.deadLetterExchange = options.deadLetterExchange ?? `${this.exchange}.dlx`;
  }

  /** Connects (retrying with backoff up to `connectTimeoutMs`) and declares the exchanges. */
  static async connect(options: RabbitMqBusOptions): Promise<RabbitMqBus> {
    const bus = new RabbitMqBus(options);
    const deadline = Date.now() + (options.connectTimeoutMs ?? 30_000);
    for (;;) {
      try {
        await bus.#open();
        return bus;
      } catch (err) {
        if (Date.now() + bus.#backoff() > deadline) throw err;
        bus.#log("warn", { err }, "RabbitMQ not reachable yet; retrying");
        await sleep(bus.#backoff());
        bus.#failures++;
      }
    }
  }

  get connected(): boolean {
    return this.#link !== undefined;
  }

  /**
   * Rejects with EventBusUnavailableError when the broker cannot take any event now (not
   * connected, channel closed under us, no confirm in time), with EventUnroutableError when no
   * queue is bound for its type (yet), and with a plain Error when it refused this event for
   * the event's sake (a nack; too large, not serialisable, a type that is no routing key).
   */
  async publish(event: CloudEvent): Promise<void> {
    const link = this.#link;
    if (this.#closed || !link) throw new EventBusUnavailableError("event bus is not connected to RabbitMQ");
    const timeoutMs = this.options.publishTimeoutMs ?? 10_000;
    // Checked before the try below, where amqplib's throws mean the channel closed under us.
    const body = serialiseEvent(event);
    if (typeof event.type !== "string" || Buffer.byteLength(event.type) > 255) {
      throw new Error(`event ${String(event.id)} has a type that is not a routing key (at most 255 bytes)`);
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new EventBusUnavailableError(`no publisher confirm within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const done = (err?: Error) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const options = {
        persistent: true,
        mandatory: true,
        messageId: event.id,
        type: event.type,
        appId: event.source,
        contentType: "application/cloudevents+json",
        timestamp: Math.floor(Date.parse(event.time) / 1000) || undefined,
      };
      try {
        link.channel.publish(this.exchange, event.type, body, options, (err: unknown) => {
          const unroutable = link.returned.delete(event.id);
          // amqplib calls back "message nacked" for a nack; any other error is the channel
          // closing with the confirm outstanding.
          if (err) {
            const nacked = err instanceof Error && err.message === "message nacked";
            done(
              nacked ? new Error("broker refused the message (nack)") : new EventBusUnavailableError("channel closed"),
            );
          }
          // No queue is bound for this type (its consumer has not run yet, or the broker lost its
          // definitions): the outbox keeps the event, never parks it, until one is.
          else if (unroutable) done(new EventUnroutableError(`no queue is bound for routing key ${event.type}`));
          else done();
        });
      } catch {
        done(new EventBusUnavailableError("channel closed")); // closed under us
      }
    });
  }

  async subscribe(queue: string, types: string[], handler: EventHandler): Promise<void> {
    const name = `${this.options.queuePrefix ?? ""}${queue}`;
    if (this.#subscriptions.some((s) => s.queue === name)) {
      throw new Error(`queue ${name} already has a subscriber in this process`);
    }
    const subscription = { queue: name, types: [...types], handler };
    this.#subscriptions.push(subscription);
    // While disconnected the subscription is applied by the next successful reconnect.
    if (this.#link) await this.#consume(this.#link, subscription);
  }

  async ping(): Promise<void> {
    const link = this.#link;
    if (this.#closed || !link) throw new Error("event bus is not connected to RabbitMQ");
    await link.channel.checkExchange(this.exchange);
  }

  /** Messages waiting in `<queue>.dlq` (a passive declare: the broker's own count). */
  async deadLetterCount(queue: string): Promise<number> {
    const link = this.#link;
    if (this.#closed || !link) throw new Error("event bus is not connected to RabbitMQ");
    // A channel of its own: a passive declare of a missing queue closes its channel, which
    // must not be the one publishing and consuming.
    const channel = await link.model.createChannel();
    channel.on("error", () => undefined);
    try {
      const { messageCount } = await channel.checkQueue(`${this.options.queuePrefix ?? ""}${queue}.dlq`);
      return messageCount;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Stops consuming, waits for handlers in flight (their acks), then closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    await this.#connecting; // a reconnect under way finishes first, so its link is closed below
    const link = this.#link;
    if (link) {
      await Promise.allSettled(link.consumerTags.map((tag) => link.channel.cancel(tag)));
    }
    await Promise.race([Promise.allSettled([...this.#inFlight]), sleep(15_000)]);
    this.#link = undefined;
    if (!link) return;
    // Channel first: its close frame follows the acks on the same channel stream, whereas a
    // connection close (channel 0) could overtake acks still queued in the multiplexer.
    await link.channel.close().catch(() => undefined);
    await link.model.close().catch(() => undefined);
  }

  /**
   * For fault tests only: drops the TCP connection without a protocol close, as a network
   * failure or broker crash would. The bus notices and reconnects with backoff.
   */
  severConnectionForTests(): void {
    const model = this.#link?.model as unknown as { connection?: { stream?: { destroy(e: Error): void } } } | undefined;
    model?.connection?.stream?.destroy(new Error("connection severed by a fault test"));
  }

  async #open(): Promise<void> {
    // Loaded on first connect: a process on the in-process bus (`npm start`) never needs it.
    const { default: amqp } = await import("amqplib");
    const model = await amqp.connect(this.options.url, { timeout: 5000 });
    try {
      const channel = await model.createConfirmChannel();
      await channel.prefetch(this.options.prefetch ?? 16);
      await channel.assertExchange(this.exchange, "topic", { durable: true });
      await channel.assertExchange(this.deadLetterExchange, "direct", { durable: true });
      const link: Link = { model, channel, consumerTags: [], returned: new Set() };
      channel.on("return", (msg: ConsumeMessage) => {
        if (msg.properties.messageId) link.returned.add(String(msg.properties.messageId));
      });
      const lost = (reason: string) => (err?: Error) => this.#onLost(link, reason, err);
      model.on("error", () => undefined); // always followed by "close"
      model.on("close", lost("connection closed"));
      channel.on("error", () => undefined);
      channel.on("close", lost("channel closed"));
      // Current before consuming: deliveries may arrive at once and are acked on this link.
      this.#link = link;
      try {
        for (const sub of this.#subscriptions) await this.#consume(link, sub);
      } catch (err) {
        if (this.#link === link) this.#link = undefined;
        throw err;
      }
      this.#failures = 0;
      this.#log("info", { exchange: this.exchange, queues: this.#subscriptions.map((s) => s.queue) }, "connected");
    } catch (err) {
      await model.close().catch(() => undefined);
      throw err;
    }
  }

  async #consume(link: Link, sub: Subscription): Promise<void> {
    const { channel } = link;
    await channel.assertQueue(sub.queue, {
      durable: true,
      arguments: { "x-dead-letter-exchange": this.deadLetterExchange, "x-dead-letter-routing-key": sub.queue },
    });
    await channel.assertQueue(`${sub.queue}.dlq`, { durable: true });
    await channel.bindQueue(`${sub.queue}.dlq`, this.deadLetterExchange, sub.queue);
    for (const type of sub.types) await channel.bindQueue(sub.queue, this.exchange, type);
    const { consumerTag } = await channel.consume(sub.queue, (msg) => {
      if (!msg) {
        // Cancelled by the broker (queue deleted or its node gone): start over, which declares it again.
        this.#onLost(link, `consumer of ${sub.queue} cancelled by the broker`);
        return;
      }
      const work = this.#deliver(link, sub, msg);
      this.#inFlight.add(work);
      void work.finally(() => this.#inFlight.delete(work));
    });
    link.consumerTags.push(consumerTag);
  }

  async #deliver(link: Link, sub: Subscription, msg: ConsumeMessage): Promise<void> {
    const attempt = Number(msg.properties.headers?.[ATTEMPT_HEADER] ?? 1) || 1;
    const meta = { queue: sub.queue, messageId: msg.properties.messageId, type: msg.properties.type, attempt };
    let event: CloudEvent;
    try {
      event = JSON.parse(msg.content.toString("utf8")) as CloudEvent;
      if (typeof event?.id !== "string" || typeof event.type !== "string") throw new Error("not a CloudEvent");
    } catch (err) {
      // Not the parser's message: it quotes the bytes it read, which may be an event's data.
      const reason = err instanceof SyntaxError ? "not JSON" : "not a CloudEvent";
      this.#log("error", { ...meta, reason }, "unreadable message dead-lettered");
      this.#settle(link, () => link.channel.nack(msg, false, false));
      return;
    }
    try {
      await eventTracing.consume(event, this.kind, sub.queue, () => sub.handler(event));
      this.#settle(link, () => link.channel.ack(msg));
      return;
    } catch (err) {
      // The error object (serialized to type, code and message): a handler's database
      // error can quote the event's data in its message.
      this.#log("warn", { ...meta, err }, "event handler failed");
    }
    if (attempt >= (this.options.maxAttempts ?? 5)) {
      this.#log("error", meta, "event dead-lettered after repeated failures");
      this.#settle(link, () => link.channel.nack(msg, false, false));
      return;
    }
    await sleep(Math.min((this.options.retryDelayMs ?? 1000) * attempt, 10_000));
    // Republish the same bytes to this queue only (default exchange), confirmed, then ack:
    // a crash in between redelivers the original, which the consumer's inbox deduplicates.
    if (this.#link !== link) return; // reconnected meanwhile: the broker redelivers the original
    const headers = { ...msg.properties.headers, [ATTEMPT_HEADER]: attempt + 1 };
    await new Promise<void>((resolve) => {
      const republished = (err: unknown) => {
        if (err) this.#log("warn", { ...meta, error: String(err) }, "retry republish failed; broker will redeliver");
        else this.#settle(link, () => link.channel.ack(msg));
        resolve();
      };
      try {
        link.channel.sendToQueue(sub.queue, msg.content, { ...msg.properties, headers, persistent: true }, republished);
      } catch (err) {
        republished(err);
      }
    });
  }

  /** Acks/nacks only on the channel that delivered the message; after a reconnect it is gone. */
  #settle(link: Link, action: () => void): void {
    if (this.#link !== link) return;
    try {
      action();
    } catch (err) {
      this.#log("warn", { err }, "could not settle message; broker will redeliver");
    }
  }

  #onLost(link: Link, reason: string, err?: Error): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    void link.model.close().catch(() => undefined);
    if (this.#closed) return;
    this.#log("warn", { reason, error: err?.message }, "RabbitMQ connection lost; reconnecting");
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer || this.#connecting) return;
    const delay = this.#backoff();
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connecting = this.#open()
        .catch((err: Error) => {
          this.#failures++;
          this.#log("warn", { error: err.message, retryInMs: this.#backoff() }, "reconnect failed");
        })
        .finally(() => {
          this.#connecting = undefined;
          if (!this.#link) this.#scheduleReconnect();
        });
    }, delay);
    this.#reconnectTimer.unref();
  }

  #backoff(): number {
    const initial = this.options.reconnect?.initialDelayMs ?? 500;
    const max = this.options.reconnect?.maxDelayMs ?? 10_000;
    return Math.min(initial * 2 ** Math.min(this.#failures, 20), max);
  }

  #log(level: "info" | "warn" | "error", obj: Record<string, unknown>, msg: string): void {
    this.options.logger?.[level]({ bus: "rabbitmq", ...obj }, msg);
  }
}

import type { CloudEvent, EventBus, EventHandler } from "@clinic/platform";

/**
 * The replicas of one service in this process, on the stack's one bus, consuming as a broker
 * serves replicas in separate processes: one queue per service, competing consumers. Each
 * event goes to one running replica (round robin), not to each, and a stopped replica gets
 * no more. Without this the RabbitMQ bus refuses a second subscriber of a queue in one
 * process, and the in-process bus hands every replica its own copy.
 */
export interface ReplicaBuses {
  /** The bus to give replica `index` (0-based). */
  readonly buses: EventBus[];
  /** Replica `index` has stopped: deliver nothing more to it. */
  stop(index: number): void;
}

interface Queue {
  /** Each replica's handler, by index; unset until that replica subscribes. */
  handlers: (EventHandler | undefined)[];
  next: number;
}

export function replicaBuses(shared: EventBus, count: number): ReplicaBuses {
  const running = new Set(Array.from({ length: count }, (_, i) => i));
  const queues = new Map<string, Queue>();

  const deliver = async (name: string, queue: Queue, event: CloudEvent): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const index = (queue.next + i) % count;
      const handler = queue.handlers[index];
      if (!handler || !running.has(index)) continue;
      queue.next = index + 1;
      return handler(event);
    }
    // As a failed handler: the bus retries, then dead-letters (logged), never drops silently.
    throw new Error(`no running replica consumes ${name}`);
  };

  const view = (index: number): EventBus => ({
    kind: shared.kind,
    publish: (event) => shared.publish(event),
    ping: () => shared.ping(),
    deadLetterCount: (queue) => shared.deadLetterCount(queue),
    subscribe: async (name, types, handler) => {
      const known = queues.get(name);
      if (known) {
        known.handlers[index] = handler;
        return;
      }
      // The handler is in place before the queue is bound: the first event may come at once.
      const queue: Queue = { handlers: [], next: 0 };
      queue.handlers[index] = handler;
      queues.set(name, queue);
      await shared.subscribe(name, types, (event) => deliver(name, queue, event));
    },
    // The shared bus is the stack's to close; a replica letting go of its view only stops its deliveries.
    close: async () => {
      running.delete(index);
    },
  });

  return {
    buses: Array.from({ length: count }, (_, i) => view(i)),
    stop: (index) => running.delete(index),
  };
}

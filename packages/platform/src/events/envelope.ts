import { randomUUID } from "node:crypto";
import type { CloudEvent } from "./event-bus.ts";

/**
 * The CloudEvents envelope around any data. Services build events with `makeEvent` (typed
 * by the catalogue); this is kept out of the package's exports, for it and for the bus
 * tests, whose routing keys are outside the catalogue on purpose.
 */
export function envelope<T, K extends string>(
  type: K,
  source: string,
  data: T,
  subject?: string,
): CloudEvent<T> & { type: K } {
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

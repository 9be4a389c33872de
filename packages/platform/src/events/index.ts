export * from "./create-event-bus.ts";
export * from "./event-bus.ts";
export * from "./event-metrics.ts";
export * from "./event-retention.ts";
export * from "./in-process-bus.ts";
export * from "./outbox.ts";
export * from "./rabbitmq-bus.ts";

/*
 * Child process of tracing.test.ts, started as production starts a service: tracing is
 * initialised first (on only with OTEL_EXPORTER_OTLP_ENDPOINT), then every module of the
 * stack is imported. Then one real HTTP request enqueues an event, the outbox relay sends it
 * over the in-process bus, and the event as the consumer received it is printed as JSON.
 */
import { randomUUID } from "node:crypto";
import { initTracing, shutdownTracing } from "@clinic/platform/tracing";

const tracing = await initTracing({ serviceName: "tracing-fixture" });
await import("../../src/stack.ts");
const { createOutboxRelay, createService, enqueueEvent, InProcessBus, openDatabase, outboxDdl } = await import(
  "@clinic/platform"
);
type CloudEvent = import("@clinic/platform").CloudEvent;

const database = await openDatabase({ service: "tracing-fixture", dataDir: ":memory:" });
await database.runScript(outboxDdl);
const bus = new InProcessBus();
const received: CloudEvent[] = [];
await bus.subscribe("fixture", ["fixture.happened"], async (event) => {
  received.push(event);
});
const app = await createService({ name: "tracing-fixture", title: "fixture", logLevel: "silent" });
app.post("/things", async () => {
  const event: CloudEvent = {
    specversion: "1.0",
    id: randomUUID(),
    source: "tracing-fixture",
    type: "fixture.happened",
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    data: {},
  };
  await database.db.transaction().execute((trx) => enqueueEvent(trx, event));
  return { ok: true };
});
await app.listen({ port: 0, host: "127.0.0.1" });
const { port } = app.server.address() as { port: number };
const reply = await fetch(`http://127.0.0.1:${port}/things`, { method: "POST" });
await createOutboxRelay({ db: database.db, bus }).flush();
await bus.close();
await app.close();
await database.close();
await shutdownTracing();
process.stdout.write(`${JSON.stringify({ tracing, status: reply.status, received })}\n`);

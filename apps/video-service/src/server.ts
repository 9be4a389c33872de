import { initTracing } from "@clinic/platform/tracing";

// Tracing first (when OTEL_EXPORTER_OTLP_ENDPOINT is set): the modules it instruments
// (http, fastify, pg, amqplib) must load after it, hence the dynamic imports below.
await initTracing({ serviceName: "video-service" });
const { ConfigError, createLogger, listen, logDestination, requireProductionDatabase } = await import(
  "@clinic/platform"
);
const { buildApp } = await import("./app.ts");
const { loadVideoConfig } = await import("./config.ts");

// Entry for `npm start -w apps/video-service`: config, build, listen, shut down gracefully.
try {
  // NODE_ENV=production without DATABASE_URL: one line and exit, before anything else.
  requireProductionDatabase(process.env);
  const config = loadVideoConfig();
  const logger = createLogger("video-service", config.LOG_LEVEL, logDestination(config.LOG_FORMAT));
  const app = await buildApp({ config, logger });
  const address = await listen(app, config.PORT, config.HOST);
  logger.info(
    { address, mediaProvider: config.MEDIA_PROVIDER, bus: config.AMQP_URL ? "rabbitmq" : "in-process" },
    `video service listening on ${address} (API under /api/video, Swagger UI at /docs)`,
  );
} catch (err) {
  // Before a logger exists (bad configuration) stderr is the only place to say why.
  process.stderr.write(`${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`);
  process.exit(1);
}

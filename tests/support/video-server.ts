import { ConfigError, createEventBus, createLogger, listen } from "@clinic/platform";
import { buildApp, loadVideoConfig } from "@clinic/video-service";

/**
 * The video service's entry as `apps/video-service/src/server.ts` runs it (config from the
 * environment, the real buildApp, the platform's `listen` with its SIGTERM handling), for the
 * suites' child processes. Two additions keep a test on shared infrastructure private:
 * TEST_DB_SCHEMA (its own PostgreSQL schema; server.ts would use the database's default)
 * and TEST_AMQP_EXCHANGE / TEST_AMQP_QUEUE_PREFIX (its own broker topology).
 */
try {
  const config = loadVideoConfig();
  const logger = createLogger("video-service", config.LOG_LEVEL);
  const env = process.env;
  const bus = await createEventBus({
    amqpUrl: config.AMQP_URL,
    logger,
    ...(env.TEST_AMQP_EXCHANGE ? { exchange: env.TEST_AMQP_EXCHANGE } : {}),
    ...(env.TEST_AMQP_QUEUE_PREFIX ? { queuePrefix: env.TEST_AMQP_QUEUE_PREFIX } : {}),
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
  });
  const app = await buildApp({
    config,
    logger,
    bus,
    database: {
      service: "video-service",
      dataDir: config.DATA_DIR,
      logger,
      ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : {}),
      ...(env.TEST_DB_SCHEMA ? { schema: env.TEST_DB_SCHEMA, poolSize: 5 } : {}),
    },
  });
  const address = await listen(app, config.PORT, config.HOST);
  logger.info({ address }, "video service listening");
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}\n`);
  process.exit(1);
}

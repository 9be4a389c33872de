import { randomBytes } from "node:crypto";
import { type EventBus, InProcessBus, RabbitMqBus } from "@clinic/platform";
import { captureLogs, deleteBrokerObjects, deleteRedisKeys, testDatabase } from "@clinic/platform/testing";
import { type RunningStack, runStack, type StackUrls } from "@clinic/stack";
import { ensureWebBuild } from "./web-build.ts";

export interface E2eStack {
  /** The gateway as the browser reaches it: http://localhost:<port> (a secure context). */
  origin: string;
  /** Every service's own URL (each video instance's in `videoInstances`), for tests that go around the gateway. */
  urls: StackUrls;
  /** With `videoReplicas`: the Redis key prefix of this stack (its signalling presence and channels). */
  redisKeyPrefix?: string;
  /** Every log line of every service, for log-hygiene assertions. */
  logs: ReturnType<typeof captureLogs>;
  close(): Promise<void>;
}

export interface E2eStackOptions {
  /** Reaches the services' configuration (e.g. FREE_TIER_MINUTES). */
  env?: Record<string, string>;
  /** The broker; default AMQP_URL. `null` forces the in-process bus. */
  amqpUrl?: string | null;
  /** Build the web app first if stale (browser tests); API-only tests skip it. */
  web?: boolean;
  /**
   * VIDEO_REPLICAS: video instances `video-1`… behind the gateway, linked through the Redis of
   * REDIS_URL (required then) under a key prefix of this stack only, deleted by `close`.
   */
  videoReplicas?: number;
}

/**
 * What `npm start` runs (the web app built if stale, every service and the gateway in one
 * process), on free ports with fresh databases: PostgreSQL schemas and RabbitMQ when
 * DATABASE_URL / AMQP_URL are set, one PGlite in memory and the in-process bus otherwise.
 */
export async function startE2eStack(options: E2eStackOptions = {}): Promise<E2eStack> {
  const { env = {}, web = true } = options;
  if (web) await ensureWebBuild();
  const amqpUrl = options.amqpUrl === undefined ? process.env.AMQP_URL : (options.amqpUrl ?? undefined);
  const run = randomBytes(4).toString("hex");
  const exchange = `test.e2e.${run}`;
  const queuePrefix = `test-e2e-${run}-`;
  const databases = {
    auth: testDatabase("e2e_auth"),
    appointments: testDatabase("e2e_appointments"),
    video: testDatabase("e2e_video"),
  };
  const logs = captureLogs();
  const redisUrl = process.env.REDIS_URL;
  const cluster = (options.videoReplicas ?? 1) > 1;
  if (cluster && !redisUrl) throw new Error("videoReplicas needs REDIS_URL (e.g. redis://127.0.0.1:6379)");
  const redisKeyPrefix = cluster ? `test:e2e:${run}:` : undefined;
  const clusterEnv: Record<string, string> =
    cluster && redisUrl && redisKeyPrefix
      ? { VIDEO_REPLICAS: String(options.videoReplicas), REDIS_URL: redisUrl, REDIS_KEY_PREFIX: redisKeyPrefix }
      : {};
  const bus: EventBus = amqpUrl
    ? await RabbitMqBus.connect({ url: amqpUrl, exchange, queuePrefix, retryDelayMs: 50 })
    : new InProcessBus();
  let stack: RunningStack | undefined;
  const close = async () => {
    await stack?.close();
    await bus.close();
    await Promise.all(Object.values(databases).map((d) => d.drop()));
    if (amqpUrl) {
      const queues = ["appointments-service", "video-service"].map((service) => `${queuePrefix}${service}`);
      await deleteBrokerObjects(amqpUrl, exchange, queues);
    }
    if (redisUrl && redisKeyPrefix) await deleteRedisKeys(redisUrl, redisKeyPrefix);
  };
  try {
    stack = await runStack({
      ports: { gateway: 0, auth: 0, appointments: 0, video: 0 },
      host: "127.0.0.1",
      // PostgreSQL: a fresh schema each. Embedded: as `npm start`, one PGlite (in memory) for
      // every service, a schema each.
      ...(process.env.DATABASE_URL
        ? {
            databases: {
              auth: databases.auth.options,
              appointments: databases.appointments.options,
              video: databases.video.options,
            },
          }
        : { dataDir: ":memory:" }),
      bus,
      seed: true,
      logStream: logs.stream,
      env: { ...env, ...clusterEnv },
    });
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  // Browsers treat http://localhost as a secure context (getUserMedia needs one).
  const origin = stack.urls.gateway.replace("127.0.0.1", "localhost");
  return { origin, urls: stack.urls, ...(redisKeyPrefix ? { redisKeyPrefix } : {}), logs, close };
}

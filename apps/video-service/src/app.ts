import { fileURLToPath } from "node:url";
import { SIGNAL_MAX_FRAME_BYTES } from "@clinic/contracts";
import {
  type App,
  authPlugin,
  type CloudEvent,
  ConfigError,
  createEventBus,
  createEventRetention,
  createLogger,
  createOutboxRelay,
  createService,
  type Database,
  type DatabaseOptions,
  databaseTimeouts,
  type EventBus,
  logDestination,
  maxEventLoopDelay,
  migrate,
  type OutboxRelay,
  openDatabase,
  type PeriodicPass,
  registerProbes,
  serviceServers,
  serviceTokenVerifier,
  type TokenVerifier,
} from "@clinic/platform";
import websocket from "@fastify/websocket";
import type { DestinationStream, Logger } from "pino";
import { appointmentEventHandler, CONSUMER, consumedEventTypes } from "./appointments/appointment-events.ts";
import { createAppointmentsClient } from "./appointments/appointments.client.ts";
import { purgeEarlyChanges } from "./appointments/early-changes.repository.ts";
import { defaultInstanceId, parseIceServers, turnSettings, type VideoConfig } from "./config.ts";
import { consentRoutes } from "./consent/consent.routes.ts";
import { fhirRoutes } from "./fhir/fhir.routes.ts";
import { healthRoutes } from "./health.routes.ts";
import { createEmbeddedMediaProvider } from "./meetings/embedded/embedded-media-provider.ts";
import { createJoinTokens, type JoinTokens } from "./meetings/embedded/join-tokens.ts";
import type { MediaProvider } from "./meetings/media-provider.ts";
import { recordLeave } from "./sessions/attendance.service.ts";
import { callQualityRoutes } from "./sessions/call-quality.routes.ts";
import { connectivityRoutes } from "./sessions/connectivity.routes.ts";
import { startIdleSweeper, sweepIdleSessions } from "./sessions/idle-sweeper.ts";
import { mediaCredentialsRoutes } from "./sessions/media-credentials.routes.ts";
import { notesDraftRoutes } from "./sessions/notes-draft.routes.ts";
import { participantControlRoutes } from "./sessions/participant-control.routes.ts";
import { ProviderDeletionEvents, startProviderCleanup } from "./sessions/provider-cleanup.ts";
import { SessionAccess } from "./sessions/session-access.ts";
import { DEFAULT_START_WAIT_MS } from "./sessions/session-start.service.ts";
import { sessionsRoutes } from "./sessions/sessions.routes.ts";
import type { SessionsContext } from "./sessions/sessions-context.ts";
import { waitingRoomRoutes } from "./sessions/waiting-room.routes.ts";
import type { InProcessSignalCluster, SignalFanout } from "./signalling/signal-fanout.ts";
import { SignalHub } from "./signalling/signal-hub.ts";
import { signalProbeRoutes } from "./signalling/signal-probe.routes.ts";
import { signallingRoutes } from "./signalling/signalling.routes.ts";
import { appendOnlyTables, asOutboxDb, type VideoTables } from "./tables.ts";
import { usageRoutes } from "./usage/usage.routes.ts";
import { ensureRollupZone } from "./usage/usage-rollups.repository.ts";
import { registerVideoMetrics } from "./video-metrics.ts";
import { createWebhookEvents } from "./webhooks/webhook-events.ts";
import { type Lookup, systemLookup, type UrlPolicy } from "./webhooks/webhook-url.ts";
import { createWebhookWorker, type WebhookWorker } from "./webhooks/webhook-worker.ts";
import { webhooksRoutes } from "./webhooks/webhooks.routes.ts";

export interface VideoAppOptions {
  config: VideoConfig;
  /** Default: from config (DATABASE_URL → PostgreSQL, else PGlite under DATA_DIR). */
  database?: DatabaseOptions;
  /**
   * An open database shared with other video-service instances of this process (replicas under
   * `npm start` with VIDEO_REPLICAS, cluster tests): used instead of `database`, migrated like
   * it, and left open on close (its opener closes it).
   */
  sharedDatabase?: Database<VideoTables>;
  /** Default: RabbitMQ when AMQP_URL is set, else a new in-process bus; closed with the app. An injected bus is the caller's to close. */
  bus?: EventBus;
  /** Default: the auth service's JWKS (AUTH_JWKS_URL). */
  verify?: TokenVerifier;
  /** Default: from MEDIA_PROVIDER. Tests pass the Chime provider with a mocked AWS client. */
  mediaProvider?: MediaProvider;
  /** The clock of the domain (join window, idle timeout, attendance); default real time. */
  now?: () => Date;
  /** Overrides APPOINTMENTS_URL. */
  appointmentsUrl?: string;
  logger?: Logger;
  logStream?: DestinationStream;
  /** Signalling heartbeat timeout; default 30 s (contracts). */
  heartbeatTimeoutMs?: number;
  /** How long a start waits for a concurrent start of the same session; default 8 s (session-start.service.ts). */
  startWaitMs?: number;
  /** How webhook host names resolve (default: the system resolver); tests simulate DNS rebinding with it. */
  webhookLookup?: Lookup;
  /**
   * Links this app's signalling to other apps of this process without Redis (tests): each
   * app of the cluster gets its node. Default: Redis when REDIS_URL is set, else none.
   */
  signalCluster?: InProcessSignalCluster;
}

export interface VideoInternals {
  relay: OutboxRelay;
  hub: SignalHub;
  joinTokens: JoinTokens;
  sweepIdle: () => Promise<string[]>;
  handleEvent: (event: CloudEvent) => Promise<boolean>;
  database: Database<VideoTables>;
  /** The webhook delivery worker (`flush()` sends what is due now). */
  webhooks: WebhookWorker;
  /** The retention purge (`run()` purges what is past EVENT_RETENTION_DAYS now). */
  retention: PeriodicPass;
  /** Retries deleting removed attendees at the media provider (`run()` tries what is due now). */
  providerCleanup: PeriodicPass;
  /** INSTANCE_ID (or its default): `x-served-by` of every response. */
  instanceId: string;
  /** Waits for the database writes and cross-instance messages that connection events started (tests). */
  settle: () => Promise<void>;
}

declare module "fastify" {
  interface FastifyInstance {
    /** The video service's infrastructure, for the one-process stack and tests. */
    video: VideoInternals;
  }
}

const migrations = fileURLToPath(new URL("./migrations", import.meta.url));

/** The video service: the guide's seven endpoints, signalling, attendance, usage and events. */
export async function buildApp(options: VideoAppOptions): Promise<App> {
  const { config } = options;
  const now = options.now ?? (() => new Date());
  const instanceId = config.INSTANCE_ID ?? defaultInstanceId();
  // Checked here too (not only in loadVideoConfig): a config built another way must not half-start.
  const turn = turnSettings(config);
  // Replicas verify the join tokens each other signs: one shared key, or no start.
  if ((options.signalCluster || config.REDIS_URL) && !config.JOIN_TOKEN_PRIVATE_JWK) {
    throw new ConfigError([
      "JOIN_TOKEN_PRIVATE_JWK: is required with REDIS_URL (every instance must verify the join tokens the others sign)",
    ]);
  }
  const logger =
    options.logger ??
    createLogger("video-service", config.LOG_LEVEL, options.logStream ?? logDestination(config.LOG_FORMAT));
  const app = await createService({
    name: "video-service",
    title: "Video consultation service",
    description: "Video sessions of clinic appointments: start, join, end, notes, usage (see README).",
    logger,
    maxEventLoopDelayMs: maxEventLoopDelay(config),
    ...(config.TRUST_PROXY ? { trustProxy: config.TRUST_PROXY } : {}),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Which replica answered, on every response (errors, health and docs included).
    responseHeaders: { "x-served-by": instanceId },
    servers: serviceServers({
      name: "video service",
      port: config.PORT,
      gatewayPrefix: "/video",
      publicUrl: config.PUBLIC_URL,
    }),
    tags: [
      { name: "sessions", description: "Video sessions of appointments" },
      { name: "usage", description: "Free-tier usage metering" },
      { name: "webhooks", description: "Signed webhooks (Standard Webhooks) to the clinic's own systems" },
      { name: "consent", description: "Telehealth consent: the clinic's text and the patient's answer" },
      { name: "fhir", description: "FHIR R4 exports of completed sessions" },
      { name: "signalling", description: "WebSocket signalling (embedded media provider)" },
      { name: "health", description: "Liveness" },
    ],
  });

  const database =
    options.sharedDatabase ??
    (await openDatabase<VideoTables>(
      options.database ?? {
        service: "video-service",
        dataDir: config.DATA_DIR,
        logger,
        ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : {}),
        ...(config.DATABASE_OWNER_URL ? { ownerUrl: config.DATABASE_OWNER_URL } : {}),
        ...databaseTimeouts(config),
        poolSize: config.DB_POOL_SIZE,
      },
    ));
  const ownsBus = !options.bus;
  const bus = options.bus ?? (await createEventBus({ amqpUrl: config.AMQP_URL, logger }));
  // Replicas: the signalling hubs are linked (Redis, loaded only then). One instance without
  // REDIS_URL has no link and pays nothing for it.
  let fanout: SignalFanout | undefined;
  if (options.signalCluster) fanout = options.signalCluster.node(instanceId);
  else if (config.REDIS_URL) {
    const { createRedisFanout } = await import("./signalling/redis-fanout.ts");
    fanout = await createRedisFanout({
      url: config.REDIS_URL,
      prefix: config.REDIS_KEY_PREFIX,
      instanceId,
      log: app.log,
    });
  }
  const hub = new SignalHub({ ...(fanout ? { fanout } : {}), log: app.log });
  const pending = new Set<Promise<unknown>>();
  let stopSweeper: (() => Promise<void>) | undefined;
  let providerCleanup: PeriodicPass | undefined;
  const relay = createOutboxRelay({ db: asOutboxDb(database.db), bus, logger });
  const retention = createEventRetention({
    db: asOutboxDb(database.db),
    retentionDays: config.EVENT_RETENTION_DAYS,
    logger,
    now,
    // Early changes of appointments without video: nothing takes them (appointment-events.ts).
    purges: { appointmentEarlyChanges: (before) => purgeEarlyChanges(database.db, before) },
  });
  const urlPolicy: UrlPolicy = {
    production: config.NODE_ENV === "production",
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE === "1",
    lookup: options.webhookLookup ?? systemLookup,
  };
  const webhookWorker = createWebhookWorker({
    db: database.db,
    now,
    log: app.log,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    policy: urlPolicy,
  });

  app.addHook("onClose", async () => {
    await stopSweeper?.();
    await providerCleanup?.stop();
    await webhookWorker.stop();
    for (let i = 0; i < 50 && pending.size > 0; i++) await Promise.allSettled([...pending]);
    // The other instances have heard of this one's leaves (closeAll on preClose) before it goes.
    await hub.close();
    await fanout?.close();
    await retention.stop();
    // As the appointments service: stop the relay, then send what the outbox still holds
    // (events of the last requests and sweeps) while the bus is still open.
    await relay.stop();
    await relay.flush().catch((err: Error) => logger.warn({ err }, "outbox flush on close failed"));
    if (ownsBus) await bus.close();
    if (!options.sharedDatabase) await database.close();
  });

  await migrate(database, migrations, logger, { appendOnly: appendOnlyTables });
  // The usage rollups of this instance's zone exist before any request reads them (a new zone is back-filled once).
  await ensureRollupZone(database.db, config.CLINIC_TIME_ZONE);
  const joinTokens = await createJoinTokens({
    privateJwk: config.JOIN_TOKEN_PRIVATE_JWK,
    ttlSeconds: config.JOIN_TOKEN_TTL_SEC,
  });
  const provider = options.mediaProvider ?? (await defaultProvider(config, joinTokens, app));
  const appointments = createAppointmentsClient({
    baseUrl: options.appointmentsUrl ?? config.APPOINTMENTS_URL,
    timeoutMs: config.APPOINTMENTS_TIMEOUT_MS,
  });
  const ctx: SessionsContext = {
    db: database.db,
    access: new SessionAccess(database.db),
    provider,
    joinTokens,
    appointments,
    notifier: hub,
    relay,
    providerDeletions: new ProviderDeletionEvents(),
    webhooks: createWebhookEvents({ freeTierMinutes: config.FREE_TIER_MINUTES, timeZone: config.CLINIC_TIME_ZONE }),
    config,
    turn,
    now,
    log: app.log,
    startWaitMs: options.startWaitMs ?? DEFAULT_START_WAIT_MS,
  };
  const verify = options.verify ?? serviceTokenVerifier(config, app);

  await app.register(authPlugin, { verify });
  await app.register(websocket, {
    options: { maxPayload: SIGNAL_MAX_FRAME_BYTES },
    // Replaces the plugin's default (close without a code): say "going away" and record every
    // leave while the database is still open.
    preClose(done) {
      const leftAt = now();
      for (const conn of hub.closeAll(1001, "server shutting down")) {
        pending.add(
          recordLeave(
            database.db,
            conn.attendee.attendee_id,
            conn.sessionId,
            leftAt,
            ctx.webhooks,
            conn.intervalId,
          ).catch((err: Error) =>
            logger.error({ err, attendeeId: conn.attendee.attendee_id }, "could not record leave on shutdown"),
          ),
        );
      }
      for (const client of app.websocketServer.clients) client.close(1001, "server shutting down");
      app.websocketServer.close(() => done());
    },
  });
  await app.register(sessionsRoutes(ctx, config.PUBLIC_URL), { prefix: "/api/video" });
  await app.register(notesDraftRoutes(ctx), { prefix: "/api/video" });
  await app.register(waitingRoomRoutes(ctx), { prefix: "/api/video" });
  await app.register(mediaCredentialsRoutes(ctx), { prefix: "/api/video" });
  await app.register(participantControlRoutes(ctx), { prefix: "/api/video" });
  await app.register(callQualityRoutes(ctx), { prefix: "/api/video" });
  await app.register(usageRoutes(ctx), { prefix: "/api/video" });
  await app.register(webhooksRoutes({ db: database.db, access: ctx.access, now, urlPolicy }), {
    prefix: "/api/video",
  });
  await app.register(consentRoutes(ctx), { prefix: "/api/video" });
  await app.register(connectivityRoutes(ctx, { fanout }), { prefix: "/api/video" });
  await app.register(fhirRoutes(ctx), { prefix: "/api/video" });
  await app.register(
    signallingRoutes({
      db: database.db,
      hub,
      joinTokens,
      access: ctx.access,
      now,
      connectsPerMinute: config.SIGNAL_CONNECTS_PER_MINUTE,
      pending,
      webhooks: ctx.webhooks,
      ...(options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
    }),
    { prefix: "/api/video" },
  );
  await app.register(signalProbeRoutes({ hub, now, connectsPerMinute: config.SIGNAL_CONNECTS_PER_MINUTE }), {
    prefix: "/api/video",
  });
  healthRoutes(app, { database, appointments, bus, instanceId, ...(fanout ? { fanout: () => hub.fanoutUp } : {}) });
  // As /health: the database decides; the appointments service and the bus are reported (a
  // start answers 503 itself without the first, events wait in the outbox for the second).
  registerProbes(app, {
    checks: [
      { name: "database", check: () => database.ping() },
      { name: "appointments", check: () => appointments.ping(), informational: true },
      { name: "event_bus", check: () => bus.ping(), informational: true },
      // Redis down: new signalling connects are refused (4503) on every instance alike, so
      // it is reported, not a reason to take this one out of rotation.
      ...(fanout ? [{ name: "signalling_fanout", check: async () => fanoutCheck(hub), informational: true }] : []),
    ],
    operationIds: { liveness: "getVideoLiveness", readiness: "getVideoReadiness" },
  });
  registerVideoMetrics(app.metrics, {
    db: database.db,
    bus,
    hub,
    now,
    freeTierMinutes: config.FREE_TIER_MINUTES,
    timeZone: config.CLINIC_TIME_ZONE,
    log: app.log,
    providerDeletions: ctx.providerDeletions,
  });

  const handleEvent = appointmentEventHandler(database.db, app.log, now);
  await bus.subscribe(CONSUMER, consumedEventTypes, async (event) => {
    await handleEvent(event);
  });
  relay.start();
  retention.start(true);
  webhookWorker.start();
  stopSweeper = startIdleSweeper(ctx, config.IDLE_SWEEP_INTERVAL_SEC * 1000);
  providerCleanup = startProviderCleanup(ctx);
  app.decorate("video", {
    relay,
    hub,
    joinTokens,
    sweepIdle: () => sweepIdleSessions(ctx),
    handleEvent,
    database,
    webhooks: webhookWorker,
    retention,
    providerCleanup,
    instanceId,
    settle: async () => {
      for (let i = 0; i < 50 && pending.size > 0; i++) await Promise.allSettled([...pending]);
      await hub.settle();
    },
  });
  return app;
}

async function defaultProvider(config: VideoConfig, joinTokens: JoinTokens, app: App): Promise<MediaProvider> {
  if (config.MEDIA_PROVIDER === "chime") {
    // Loaded only for Chime: the AWS SDK is ~16 MiB resident that the embedded provider never uses.
    const { createChimeMediaProvider } = await import("./meetings/chime/chime-media-provider.ts");
    return createChimeMediaProvider({
      logger: app.log,
      ...(config.AWS_REGION ? { mediaRegion: config.AWS_REGION } : {}),
    });
  }
  return createEmbeddedMediaProvider({ joinTokens, iceServers: parseIceServers(config.ICE_SERVERS) });
}

function fanoutCheck(hub: SignalHub): void {
  if (!hub.fanoutUp) throw new Error("signalling fan-out (Redis) unreachable");
}

import { fileURLToPath } from "node:url";
import {
  type App,
  authPlugin,
  createEventBus,
  createEventRetention,
  createOutboxRelay,
  createService,
  type DatabaseOptions,
  databaseTimeouts,
  type EventBus,
  maxEventLoopDelay,
  migrate,
  type OutboxRelay,
  openDatabase,
  type PeriodicPass,
  registerEventMetrics,
  registerHealth,
  registerProbes,
  serviceServers,
  serviceTokenVerifier,
  type TokenVerifier,
} from "@clinic/platform";
import type { DestinationStream, Logger } from "pino";
import { appointmentsRoutes } from "./appointments/appointments.routes.ts";
import { createAppointmentsService } from "./appointments/appointments.service.ts";
import {
  appointmentsQueue,
  createConsultationEventHandler,
  subscribeConsultationEvents,
} from "./appointments/consultation-events.ts";
import { demoDirectory, seedDemoAppointments } from "./appointments/demo-seed.ts";
import type { AppointmentsConfig } from "./config.ts";
import { type AppointmentsDatabase, type AppointmentsTables, appendOnlyTables, asOutbox } from "./database.ts";
import { createDirectoryClient, type Directory } from "./directory/directory.client.ts";
import { invitesRoutes } from "./invites/invites.routes.ts";
import { createInvitesService } from "./invites/invites.service.ts";

export interface AppointmentsAppOptions {
  config: AppointmentsConfig;
  /** Default: from config (DATABASE_URL, or PGlite under DATA_DIR). */
  database?: DatabaseOptions;
  /** Default: RabbitMQ when AMQP_URL is set, else a private in-process bus. Injected buses are not closed here. */
  bus?: EventBus;
  logger?: Logger;
  logStream?: DestinationStream;
  /** Default: verifies with the auth service's JWKS at AUTH_JWKS_URL. */
  verify?: TokenVerifier;
  /** Default: the auth service's directory at AUTH_URL, asked with the caller's token. Tests without an auth service inject one. */
  directory?: Directory;
  /** Clock for booking rules and the demo seed. */
  now?: () => Date;
}

declare module "fastify" {
  interface FastifyInstance {
    /** The appointments service's database, for tests that read what it wrote (audit rows). */
    appointments: { database: AppointmentsDatabase };
  }
}

export const appointmentsBasePath = "/api/appointments";
/** How long a booking waits for the directory before answering 503 DIRECTORY_UNAVAILABLE. */
const directoryTimeoutMs = 5000;
const migrations = fileURLToPath(new URL("./migrations", import.meta.url));

export async function buildApp(options: AppointmentsAppOptions): Promise<App> {
  const { config } = options;
  const now = options.now ?? (() => new Date());
  const app = await createService({
    name: "appointments-service",
    title: "Appointments service",
    description: "Clinic appointments: who sees whom, when. Publishes appointment.booked/cancelled.",
    logLevel: config.LOG_LEVEL,
    logFormat: config.LOG_FORMAT,
    maxEventLoopDelayMs: maxEventLoopDelay(config),
    ...(config.TRUST_PROXY ? { trustProxy: config.TRUST_PROXY } : {}),
    bodyLimit: config.BODY_LIMIT_BYTES,
    servers: serviceServers({ name: "appointments service", port: config.PORT, gatewayPrefix: "/appointments" }),
    tags: [
      { name: "appointments", description: "Book, list, cancel and reschedule appointments" },
      { name: "invites", description: "Invite links: a patient joins one consultation without an account" },
      { name: "health", description: "Service status" },
    ],
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  const logger = app.log as Logger;
  let database: AppointmentsDatabase | undefined;
  let bus: EventBus | undefined;
  let relay: OutboxRelay | undefined;
  let retention: PeriodicPass | undefined;
  // One hook, in order: stop taking events, send what the outbox still holds, then close.
  app.addHook("onClose", async () => {
    await retention?.stop();
    if (relay) {
      await relay.stop();
      await relay.flush().catch((err: Error) => logger.warn({ err }, "outbox flush on close failed"));
    }
    if (bus && !options.bus) await bus.close();
    await database?.close();
  });
  try {
    database = await openDatabase<AppointmentsTables>(
      options.database ?? {
        service: "appointments-service",
        url: config.DATABASE_URL,
        ownerUrl: config.DATABASE_OWNER_URL,
        dataDir: config.DATA_DIR,
        ...databaseTimeouts(config),
        logger,
      },
    );
    await migrate(database, migrations, logger, { appendOnly: appendOnlyTables });
    bus = options.bus ?? (await createEventBus({ amqpUrl: config.AMQP_URL, logger }));
    relay = createOutboxRelay({ db: asOutbox(database.db), bus, logger, intervalMs: config.OUTBOX_INTERVAL_MS });
    const outbox = relay;
    registerEventMetrics(app.metrics, { db: asOutbox(database.db), bus, consumer: appointmentsQueue, log: app.log });
    const directory =
      options.directory ?? createDirectoryClient({ baseUrl: config.AUTH_URL, timeoutMs: directoryTimeoutMs });
    const kysely = database.db;
    const service = (people: Directory) =>
      createAppointmentsService({
        db: kysely,
        directory: people,
        onEventsEnqueued: () => outbox.notify(),
        now,
        inviteGraceMinutes: config.INVITE_GRACE_AFTER_MIN,
      });
    const appointments = service(directory);
    await subscribeConsultationEvents(bus, createConsultationEventHandler({ db: database.db, logger }));
    // The seed books without a request (no token to ask the auth service with): its people
    // are the demo people the auth service seeds, held in memory.
    if (config.SEED_DEMO === "1") await seedDemoAppointments(database.db, service(demoDirectory), logger, now());
    relay.start();
    retention = createEventRetention({
      db: asOutbox(database.db),
      retentionDays: config.EVENT_RETENTION_DAYS,
      logger,
    });
    retention.start(true);

    const verify = options.verify ?? serviceTokenVerifier(config, app);
    const db = database;
    const eventBus = bus;
    const checks = [
      { name: "database", check: () => db.ping() },
      { name: "events", check: () => eventBus.ping() },
    ];
    registerHealth(app, "appointments-service", checks, "getAppointmentsHealth");
    registerProbes(app, {
      checks,
      operationIds: { liveness: "getAppointmentsLiveness", readiness: "getAppointmentsReadiness" },
    });
    await app.register(authPlugin, { verify });
    await app.register(appointmentsRoutes, { prefix: appointmentsBasePath, appointments });
    const invites = createInvitesService({
      db: db.db,
      publicWebUrl: config.PUBLIC_WEB_URL,
      graceMinutes: config.INVITE_GRACE_AFTER_MIN,
      now,
    });
    await app.register(invitesRoutes, { prefix: appointmentsBasePath, invites });
    app.decorate("appointments", { database: db });
    await app.ready();
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}

import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo, Socket } from "node:net";
import { buildApp as buildAppointments, type Directory, loadAppointmentsConfig } from "@clinic/appointments-service";
import { buildApp as buildAuth, loadAuthConfig } from "@clinic/auth-service";
import { buildApp as buildGateway, loadGatewayConfig } from "@clinic/gateway";
import {
  type App,
  ConfigError,
  createEventBus,
  createLogger,
  type Database,
  type DatabaseOptions,
  demoSeedProblems,
  demoSeedSetting,
  type EmbeddedDatabase,
  type EventBus,
  type LogFormat,
  logDestination,
  openDatabase,
  openEmbeddedDatabase,
  requireProductionDatabase,
} from "@clinic/platform";
import { buildApp as buildVideo, loadVideoConfig, type VideoTables } from "@clinic/video-service";
import type { DestinationStream, Logger } from "pino";
import { replicaBuses } from "./replica-bus.ts";

export type StackService = "auth" | "appointments" | "video";
export type StackPorts = Record<StackService | "gateway", number>;

export const defaultPorts: StackPorts = { gateway: 8000, auth: 8080, appointments: 8082, video: 8086 };

const serviceNames: Record<StackService, string> = {
  auth: "auth-service",
  appointments: "appointments-service",
  video: "video-service",
};

export interface StackOptions {
  /** Ports to listen on; 0 picks a free one (tests). Default 8000/8080/8082/8086. */
  ports?: Partial<StackPorts>;
  /** Interface the gateway listens on (default `HOST` or localhost); services stay on 127.0.0.1. */
  host?: string;
  /** Where each service's PGlite files go (`<dataDir>/<service>`), when no DATABASE_URL. */
  dataDir?: string;
  /** PostgreSQL for all three; each service then gets its own schema in it. */
  databaseUrl?: string;
  /** Per-service database options, overriding the two above (tests: a fresh schema each). */
  databases?: Partial<Record<StackService, DatabaseOptions>>;
  /** RabbitMQ; unset → one in-process bus shared by the services. */
  amqpUrl?: string;
  /** The bus to share (tests); not closed by `close()`. */
  bus?: EventBus;
  /** Seed the demo clinic, users and appointments (default: yes, unless SEED_DEMO=0). */
  seed?: boolean;
  logLevel?: string;
  /** Where every service logs; default: stdout, formatted by `stackLogFormat`. */
  logStream?: DestinationStream;
  /** Environment the service configurations are read from, below the settings above. */
  env?: Record<string, string | undefined>;
  /**
   * Where bookings look their people up; default the auth service's directory. Tests whose
   * tokens name people the auth service never stored inject one.
   */
  directory?: Directory;
}

export interface StackUrls extends Record<StackService | "gateway", string> {
  /** Every video-service instance (`video-1`, `video-2`, … in order); `video` is the first. */
  videoInstances: string[];
}

export interface RunningStack {
  urls: StackUrls;
  bus: EventBus;
  /** Whether the demo clinic and its logins were seeded (never under NODE_ENV=production). */
  demo: boolean;
  /**
   * Closes video instance `index` (0-based) as a replica going away would: it stops taking
   * requests and closes its WebSockets, its share of the events goes to the others, and the
   * gateway's balancing finds it gone. The rest of the stack keeps running (tests).
   * `abrupt`: first it stops accepting connections and its open ones are cut without a
   * closing handshake, as when its host or the network goes away (the gateway sees 1006 on
   * the WebSockets it relays); then it closes as above, recording the leaves it still can.
   */
  stopVideoInstance(index: number, options?: { abrupt?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** Most video-service instances `npm start` runs (VIDEO_REPLICAS). */
export const maxVideoReplicas = 8;

/**
 * VIDEO_REPLICAS (default 1): how many video-service instances the stack runs. More than one
 * needs REDIS_URL: a call's two browsers may reach different instances, which relay
 * signalling and share their limits through Redis. Throws a ConfigError saying which.
 */
export function videoReplicas(env: Record<string, string | undefined>): number {
  const raw = env.VIDEO_REPLICAS?.trim() ?? "";
  if (raw === "") return 1;
  const count = /^\d{1,2}$/.test(raw) ? Number(raw) : 0;
  if (count < 1 || count > maxVideoReplicas) {
    throw new ConfigError([`VIDEO_REPLICAS: must be a whole number from 1 to ${maxVideoReplicas}`]);
  }
  if (count > 1 && !env.REDIS_URL) {
    throw new ConfigError([
      `VIDEO_REPLICAS=${count} needs REDIS_URL (e.g. redis://127.0.0.1:6379): video instances relay signalling and share limits through Redis`,
    ]);
  }
  return count;
}

/**
 * The join-token signing key the video instances share: JOIN_TOKEN_PRIVATE_JWK when set.
 * Instances on Redis verify join tokens another instance signed, so they need one key (the
 * video service refuses to start on Redis without it). For `npm start` in development one
 * Ed25519 key is generated for this process's instances; tokens then end with the process,
 * as they do with one instance. In production the key comes from a secret store, or no start.
 */
function sharedJoinTokenKey(env: Record<string, string | undefined>, log: Logger): string | undefined {
  if (env.JOIN_TOKEN_PRIVATE_JWK || !env.REDIS_URL) return env.JOIN_TOKEN_PRIVATE_JWK;
  if (env.NODE_ENV === "production") {
    throw new ConfigError([
      "JOIN_TOKEN_PRIVATE_JWK: is required with REDIS_URL when NODE_ENV=production (every video instance must verify the join tokens the others sign)",
    ]);
  }
  const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
  log.info("no JOIN_TOKEN_PRIVATE_JWK: generated one join-token signing key, shared by this process's video instances");
  return JSON.stringify(jwk);
}

/**
 * How `npm start` writes logs: LOG_FORMAT when set; otherwise readable lines for the person
 * at the terminal (pino-pretty), except under NODE_ENV=production, where JSON goes to log
 * storage. A service started on its own writes JSON unless LOG_FORMAT=pretty.
 */
export function stackLogFormat(env: Record<string, string | undefined>): LogFormat {
  if (env.LOG_FORMAT === "json" || env.LOG_FORMAT === "pretty") return env.LOG_FORMAT;
  return env.NODE_ENV === "production" ? "json" : "pretty";
}

/** The one stream every logger of the stack writes to (`destination`: tests; default stdout). */
export function stackLogStream(
  env: Record<string, string | undefined>,
  destination?: DestinationStream,
): DestinationStream | undefined {
  return logDestination(stackLogFormat(env), destination);
}

/**
 * Everything `npm start` runs, in one process: auth, appointments and video, each its own
 * Fastify app on its own port with its own database, one event bus between them, and the
 * gateway in front. Services start first so that ports chosen at random (0) are known
 * before the ones that call them (video → appointments, everyone → auth's JWKS) start.
 */
export async function runStack(options: StackOptions = {}): Promise<RunningStack> {
  const env = options.env ?? process.env;
  const ports = { ...defaultPorts, ...options.ports };
  const databaseUrl = options.databaseUrl ?? env.DATABASE_URL;
  const amqpUrl = options.amqpUrl ?? env.AMQP_URL;
  const logLevel = options.logLevel ?? env.LOG_LEVEL ?? "info";
  // Checked before anything starts: a bad VIDEO_REPLICAS is one line, not a half-started stack.
  // Production on the embedded database, or with the demo logins, is refused the same way.
  if (!options.databases) requireProductionDatabase({ ...env, DATABASE_URL: databaseUrl });
  const seedProblems = demoSeedProblems(env);
  if (seedProblems.length > 0) throw new ConfigError(seedProblems);
  const replicas = videoReplicas(env);
  const seed =
    options.seed === undefined ? demoSeedSetting({ ...env, DATABASE_URL: databaseUrl }) : options.seed ? "1" : "0";
  const baseEnv = {
    ...env,
    LOG_LEVEL: logLevel,
    DATA_DIR: options.dataDir ?? env.DATA_DIR ?? ".data",
    // Embedded, the stack is the demo and is seeded; against a real DATABASE_URL the demo
    // accounts (published passwords) are created only when SEED_DEMO=1 asks for them, and
    // under NODE_ENV=production never.
    SEED_DEMO: seed,
    // Browsers reach the services through the gateway on loopback: trust its X-Forwarded-For
    // so the login rate limit counts each client, not the gateway (unless the operator set it).
    TRUST_PROXY: env.TRUST_PROXY ?? "127.0.0.1",
    // A developer points webhooks at a receiver on their own machine: private and loopback
    // addresses are allowed here only (the video service refuses them by default).
    WEBHOOK_ALLOW_PRIVATE: env.WEBHOOK_ALLOW_PRIVATE ?? "1",
    DATABASE_URL: databaseUrl,
    AMQP_URL: amqpUrl,
    // One process: the gateway shares its event loop with the services' embedded PGlite, whose
    // queries and start-ups stall it without any load to shed (maxEventLoopDelay in platform).
    MAX_EVENT_LOOP_DELAY_MS: env.MAX_EVENT_LOOP_DELAY_MS ?? (databaseUrl ? undefined : "0"),
  };
  // Embedded: ONE PGlite database for the whole process (`<DATA_DIR>/embedded`), a schema per
  // service. Each PGlite is a WebAssembly PostgreSQL of its own (~200 MiB resident): one per
  // service tripled the stack's memory. Opened with the first service that needs it.
  let embedded: Promise<EmbeddedDatabase> | undefined;
  const database = async (service: StackService): Promise<DatabaseOptions> => {
    const name = serviceNames[service];
    const given = options.databases?.[service];
    if (given) return given;
    const schema = name.replace(/-/g, "_");
    // One PostgreSQL database for the whole stack: a schema per service keeps their tables
    // (each has its own outbox and inbox) apart, as separate databases would in production.
    if (databaseUrl) return { service: name, url: databaseUrl, ownerUrl: env.DATABASE_OWNER_URL, schema };
    if (!embedded) {
      const opening = openEmbeddedDatabase(baseEnv.DATA_DIR);
      embedded = opening;
      // Closed after every service (close() stops in reverse start order).
      started.push(once(async () => (await opening).close()));
    }
    return { service: name, embedded: await embedded, schema };
  };
  // Tests pass their capture stream and read JSON; otherwise one stream for every logger.
  const logStream = options.logStream ?? stackLogStream(env);
  const stackLog = createLogger("stack", logLevel, logStream);
  const joinTokenKey = sharedJoinTokenKey(env, stackLog);
  const bus =
    options.bus ?? (await createEventBus({ amqpUrl, logger: createLogger("event-bus", logLevel, logStream) }));
  // What close() undoes, in start order: apps, and the video instances' shared database.
  const started: (() => Promise<void>)[] = [];
  const start = (app: App) =>
    started.push(
      once(async () => {
        await app.close();
      }),
    );
  let closing: Promise<void> | undefined;
  const close = () => {
    // Front to back: stop taking requests before the services behind go away. Once only,
    // however many signals arrive.
    closing ??= (async () => {
      for (const stop of [...started].reverse()) await stop();
      if (!options.bus) await bus.close();
    })();
    return closing;
  };
  const common = { bus, ...(logStream ? { logStream } : {}) };
  const serviceHost = "127.0.0.1";

  try {
    // Auth starts first (everyone needs its keys) but exchanges invite links with the
    // appointments service, whose port (possibly chosen at random) is known only later.
    let appointmentsUrlForAuth = "";
    const auth = await buildAuth({
      config: loadAuthConfig({ ...baseEnv, PORT: String(ports.auth) }),
      database: await database("auth"),
      appointmentsUrl: () => appointmentsUrlForAuth,
      ...(logStream ? { logStream } : {}),
    });
    start(auth);
    const authUrl = await listenOn(auth, ports.auth, serviceHost);
    const jwksUrl = `${authUrl}/api/auth/.well-known/jwks.json`;

    const appointments = await buildAppointments({
      config: loadAppointmentsConfig({
        ...baseEnv,
        PORT: String(ports.appointments),
        AUTH_JWKS_URL: jwksUrl,
        // Bookings check their doctor and patient in auth's directory.
        AUTH_URL: authUrl,
      }),
      ...(options.directory ? { directory: options.directory } : {}),
      database: await database("appointments"),
      ...common,
    });
    start(appointments);
    const appointmentsUrl = await listenOn(appointments, ports.appointments, serviceHost);
    appointmentsUrlForAuth = appointmentsUrl;

    // VIDEO_REPLICAS instances on consecutive ports (video, video+1, …), ids video-1…video-N.
    // Embedded, they share one open PGlite database (its files are one process's); on
    // PostgreSQL each opens its own pool on the same schema, as replicas in separate
    // processes do. They consume events as competing consumers of the one video queue.
    const videoDatabase = await database("video");
    let sharedDatabase: Database<VideoTables> | undefined;
    if (replicas > 1 && !videoDatabase.url) {
      const opened = await openDatabase<VideoTables>(videoDatabase);
      sharedDatabase = opened;
      started.push(once(() => opened.close())); // closed after every instance
    }
    const videoBuses = replicas > 1 ? replicaBuses(bus, replicas) : undefined;
    const videoStops: (() => Promise<void>)[] = [];
    const videoCuts: (() => void)[] = [];
    const videoUrls: string[] = [];
    for (let index = 0; index < replicas; index++) {
      const video = await buildVideo({
        config: loadVideoConfig({
          ...baseEnv,
          // The video service's own PORT must be a real port; with 0 we listen on a free one below.
          PORT: String((ports.video || defaultPorts.video) + index),
          APPOINTMENTS_URL: appointmentsUrl,
          AUTH_JWKS_URL: jwksUrl,
          ...(replicas > 1 ? { INSTANCE_ID: `video-${index + 1}` } : {}),
          ...(joinTokenKey ? { JOIN_TOKEN_PRIVATE_JWK: joinTokenKey } : {}),
        }),
        ...(sharedDatabase ? { sharedDatabase } : { database: videoDatabase }),
        ...common,
        bus: videoBuses?.buses[index] ?? bus,
      });
      const stop = once(async () => {
        videoBuses?.stop(index);
        await video.close();
      });
      started.push(stop);
      videoStops.push(stop);
      // Every TCP connection of the instance, upgraded WebSockets included: what an abrupt stop cuts.
      const connections = new Set<Socket>();
      video.server.on("connection", (socket: Socket) => {
        connections.add(socket);
        socket.once("close", () => connections.delete(socket));
      });
      videoCuts.push(() => {
        video.server.close(); // refuses new connections now; the app's close finds it closed
        for (const socket of connections) socket.destroy();
      });
      videoUrls.push(await listenOn(video, ports.video ? ports.video + index : 0, serviceHost));
    }
    const [videoUrl = ""] = videoUrls;

    const gateway = await buildGateway({
      config: loadGatewayConfig({
        ...baseEnv,
        PORT: String(ports.gateway),
        AUTH_URL: authUrl,
        APPOINTMENTS_URL: appointmentsUrl,
        // Every instance: the gateway balances over them and reports each in its /health.
        VIDEO_URL: videoUrls.join(","),
        // The gateway is the stack's edge: browsers reach it on loopback too, so trusting
        // 127.0.0.1 (as the services behind it do) would believe any local client's header.
        TRUST_PROXY: undefined,
      }),
      ...(logStream ? { logStream } : {}),
    });
    start(gateway);
    const gatewayUrl = await listenOn(gateway, ports.gateway, options.host ?? env.HOST ?? "localhost");
    const moved = embedded ? (await embedded).imported : [];
    if (moved.length > 0) {
      // Once, on the first start after the upgrade: where the data went and where the old folders are.
      stackLog.warn(
        { services: moved.map((m) => m.service), rows: moved.reduce((n, m) => n + m.rows, 0) },
        `moved the embedded data of ${moved.map((m) => m.service).join(", ")} from ${baseEnv.DATA_DIR}/<service> into ${baseEnv.DATA_DIR}/embedded (one database, a schema per service); the old folders are kept in ${baseEnv.DATA_DIR}/legacy-backup/: delete them once you no longer need them`,
      );
    }

    return {
      urls: {
        gateway: gatewayUrl,
        auth: authUrl,
        appointments: appointmentsUrl,
        video: videoUrl,
        videoInstances: videoUrls,
      },
      bus,
      demo: seed === "1",
      stopVideoInstance: async (index, stopOptions) => {
        const stop = videoStops[index];
        if (!stop) throw new RangeError(`no video instance ${index} (0 to ${videoStops.length - 1})`);
        if (stopOptions?.abrupt) videoCuts[index]?.();
        await stop();
      },
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

/** `fn` run once; later calls get the same promise (an instance stopped by a test, then by close). */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}

/** Listens and returns the URL to reach the app at (`localhost` for a wildcard or named host). */
async function listenOn(app: App, port: number, host: string): Promise<string> {
  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  const reachable = host === "127.0.0.1" ? "127.0.0.1" : "localhost";
  return `http://${reachable}:${address.port}`;
}

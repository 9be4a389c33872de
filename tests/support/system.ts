import type { AddressInfo } from "node:net";
import {
  buildApp as buildAppointments,
  type Directory,
  type DirectoryPerson,
  loadAppointmentsConfig,
} from "@clinic/appointments-service";
import { buildApp as buildAuth, loadAuthConfig } from "@clinic/auth-service";
import { buildApp as buildGateway, loadGatewayConfig } from "@clinic/gateway";
import type { App, AuthUser, DatabaseOptions, EventBus } from "@clinic/platform";
import { captureLogs, testDatabase } from "@clinic/platform/testing";
import { buildApp as buildVideo, loadVideoConfig } from "@clinic/video-service";
import { createTokenKit, type Person, people, type TokenKit } from "./people.ts";

export interface SystemOptions {
  /** The bus the appointments and video services share (required: the caller owns it). */
  bus: EventBus;
  /** Start the video service in this process (default true); false when a test runs it as a child. */
  video?: boolean;
  gateway?: boolean;
  /** Extra environment for every service's configuration. */
  env?: Record<string, string>;
  /** The appointments service's clock (booking rules, invite windows); default the real one. */
  appointmentsNow?: () => Date;
  /**
   * Where bookings look their doctor and patient up. Default `testDirectory()`: the suites sign
   * tokens for people the auth service never stored (and the same id in two clinics, which
   * auth's one users table cannot hold). "auth": the real auth service's directory, asked with
   * the caller's token, as in production.
   */
  directory?: "auth";
  /** More people for the in-memory directory (e.g. a patient in each clinic). */
  directoryPeople?: DirectoryPerson[];
  /** Per-service database options (default a fresh schema / in-memory PGlite each). */
  databases?: Partial<Record<"auth" | "appointments" | "video", ReturnType<typeof testDatabase>>>;
}

export interface System {
  apps: { auth: App; appointments: App; video?: App; gateway?: App };
  urls: { auth: string; appointments: string; video: string; gateway: string; jwks: string };
  databases: Record<"auth" | "appointments" | "video", ReturnType<typeof testDatabase>>;
  tokens: TokenKit;
  logs: ReturnType<typeof captureLogs>;
  token(person: Person | AuthUser): Promise<string>;
  /** Adds someone to the in-memory directory (no effect with `directory: "auth"`). */
  remember(person: AuthUser): void;
  close(): Promise<void>;
}

/**
 * The directory bookings see in tests whose people exist only in the tokens the suite signs
 * (the suite plays the auth service): the test people, active, plus whoever is `remember`ed;
 * another clinic's person is nobody, as with the real directory.
 */
export function testDirectory(extra: DirectoryPerson[] = []): Directory & { remember(person: AuthUser): void } {
  const known = new Map<string, DirectoryPerson>();
  const remember = ({ id, role, name, email, clinic_id, ...rest }: AuthUser & { active?: boolean }) => {
    known.set(`${clinic_id}\u0000${id}`, { id, role, name, email, clinic_id, active: rest.active ?? true });
  };
  for (const person of [...Object.values(people), ...extra]) remember(person);
  return {
    remember,
    find: async (id, { user }) => known.get(`${user.clinic_id}\u0000${id}`),
  };
}

/**
 * The services of the product as production runs them, each a real Fastify server on a free
 * port of 127.0.0.1 with its own database: auth (whose signing key the test holds, so any
 * person can be given a genuine access token), appointments and video verifying those tokens
 * through auth's JWKS endpoint, one bus between them, optionally the gateway in front.
 * Every line any of them logs is captured.
 */
export async function startSystem(options: SystemOptions): Promise<System> {
  const tokens = await createTokenKit();
  const logs = captureLogs();
  const databases = {
    auth: options.databases?.auth ?? testDatabase("s_auth"),
    appointments: options.databases?.appointments ?? testDatabase("s_appointments"),
    video: options.databases?.video ?? testDatabase("s_video"),
  };
  const started: App[] = [];
  const directory = options.directory === "auth" ? undefined : testDirectory(options.directoryPeople);
  const env = { LOG_LEVEL: "info", SEED_DEMO: "0", ...options.env };
  const common = { logStream: logs.stream };
  const close = async () => {
    for (const app of [...started].reverse()) await app.close().catch(() => undefined);
    for (const database of Object.values(databases)) await database.drop().catch(() => undefined);
  };
  try {
    // Auth exchanges invite links with the appointments service, which starts after it.
    let appointmentsUrlForAuth = "";
    const auth = await buildAuth({
      config: loadAuthConfig({ ...env, SEED_DEMO: "1", AUTH_SIGNING_KEY: tokens.signingKey }),
      database: databases.auth.options,
      appointmentsUrl: () => appointmentsUrlForAuth,
      ...common,
    });
    started.push(auth);
    const authUrl = await listenLocal(auth);
    const jwks = `${authUrl}/api/auth/.well-known/jwks.json`;
    const appointments = await buildAppointments({
      config: loadAppointmentsConfig({ ...env, OUTBOX_INTERVAL_MS: "200", AUTH_JWKS_URL: jwks, AUTH_URL: authUrl }),
      ...(directory ? { directory } : {}),
      database: databases.appointments.options as DatabaseOptions,
      bus: options.bus,
      ...(options.appointmentsNow ? { now: options.appointmentsNow } : {}),
      ...common,
    });
    started.push(appointments);
    const appointmentsUrl = await listenLocal(appointments);
    appointmentsUrlForAuth = appointmentsUrl;
    let video: App | undefined;
    let videoUrl = "";
    if (options.video !== false) {
      video = await buildVideo({
        config: loadVideoConfig({ ...env, APPOINTMENTS_URL: appointmentsUrl, AUTH_JWKS_URL: jwks }),
        database: databases.video.options,
        bus: options.bus,
        ...common,
      });
      started.push(video);
      videoUrl = await listenLocal(video);
    }
    let gateway: App | undefined;
    let gatewayUrl = "";
    if (options.gateway) {
      gateway = await buildGateway({
        config: loadGatewayConfig({
          // Load shedding off (as for the services here): a 503 UNDER_PRESSURE from a stalled
          // test machine would fail what the suite is not about.
          MAX_EVENT_LOOP_DELAY_MS: "0",
          ...env,
          PORT: "0",
          AUTH_URL: authUrl,
          APPOINTMENTS_URL: appointmentsUrl,
          VIDEO_URL: videoUrl || "http://127.0.0.1:9",
        }),
        ...common,
      });
      started.push(gateway);
      gatewayUrl = await listenLocal(gateway);
    }
    return {
      apps: { auth, appointments, ...(video ? { video } : {}), ...(gateway ? { gateway } : {}) },
      urls: { auth: authUrl, appointments: appointmentsUrl, video: videoUrl, gateway: gatewayUrl, jwks },
      databases,
      tokens,
      logs,
      // Whoever the suite signs a token for is someone its stand-in directory knows.
      token: (person) => {
        const user = typeof person === "string" ? people[person] : person;
        directory?.remember(user);
        return tokens.sign(user);
      },
      remember: (person) => directory?.remember(person),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

async function listenLocal(app: App): Promise<string> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

import type { AddressInfo } from "node:net";
import { buildApp as buildAppointments, loadAppointmentsConfig } from "@clinic/appointments-service";
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
  close(): Promise<void>;
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
  const env = { LOG_LEVEL: "info", SEED_DEMO: "0", ...options.env };
  const common = { logStream: logs.stream };
  const close = async () => {
    for (const app of [...started].reverse()) await app.close().catch(() => undefined);
    for (const database of Object.values(databases)) await database.drop().catch(() => undefined);
  };
  try {
    const auth = await buildAuth({
      config: loadAuthConfig({ ...env, SEED_DEMO: "1", AUTH_SIGNING_KEY: tokens.signingKey }),
      database: databases.auth.options,
      ...common,
    });
    started.push(auth);
    const authUrl = await listenLocal(auth);
    const jwks = `${authUrl}/api/auth/.well-known/jwks.json`;
    const appointments = await buildAppointments({
      config: loadAppointmentsConfig({ ...env, OUTBOX_INTERVAL_MS: "200", AUTH_JWKS_URL: jwks }),
      database: databases.appointments.options as DatabaseOptions,
      bus: options.bus,
      ...common,
    });
    started.push(appointments);
    const appointmentsUrl = await listenLocal(appointments);
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
      token: (person) => tokens.sign(typeof person === "string" ? people[person] : person),
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

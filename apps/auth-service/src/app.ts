import { fileURLToPath } from "node:url";
import {
  type App,
  authPlugin,
  counter,
  createService,
  createTokenVerifier,
  type DatabaseOptions,
  databaseTimeouts,
  maxEventLoopDelay,
  migrate,
  openDatabase,
  registerHealth,
  registerProbes,
  serviceServers,
  type TokenVerifier,
} from "@clinic/platform";
import rateLimit from "@fastify/rate-limit";
import type { DestinationStream, Logger } from "pino";
import { clientConfigRoutes } from "./client-config/client-config.routes.ts";
import type { AuthConfig } from "./config.ts";
import { type AuthDatabase, type AuthTables, appendOnlyTables } from "./database.ts";
import { createInviteResolver } from "./invites/appointments.client.ts";
import { inviteTokenRoutes } from "./invites/invite-token.routes.ts";
import { createInviteTokenService } from "./invites/invite-token.ts";
import { jwksRoutes } from "./keys/jwks.routes.ts";
import { parseKeyEncryptionKey } from "./keys/key-encryption.ts";
import { openSigningKeys } from "./keys/signing-key.ts";
import { loginLimitStore } from "./tokens/login-limit-store.ts";
import { tokensRoutes } from "./tokens/tokens.routes.ts";
import { createTokensService, type LoginFailure } from "./tokens/tokens.service.ts";
import { seedDemoUsers } from "./users/demo-seed.ts";
import { usersRoutes } from "./users/users.routes.ts";
import { createUsersService } from "./users/users.service.ts";

export interface AuthAppOptions {
  config: AuthConfig;
  /** Default: from config (DATABASE_URL, or PGlite under DATA_DIR). */
  database?: DatabaseOptions;
  logger?: Logger;
  logStream?: DestinationStream;
  /** Default: verifies with this service's own public keys, in process. */
  verify?: TokenVerifier;
  /**
   * The appointments service's base URL, asked when an invite is exchanged; default
   * APPOINTMENTS_URL. A function for the one-process stack, which starts auth first.
   */
  appointmentsUrl?: () => string;
  /** Clock for issuing tokens and rotating keys (tests move it to produce expired ones). */
  now?: () => Date;
  /** Called on every refused login (wrong credentials or rate limit), e.g. to count it. */
  onLoginFailure?: (reason: LoginFailure) => void;
  /** Handed the opened database (tests read the audit rows from it). */
  onDatabase?: (database: AuthDatabase) => void;
}

export const authBasePath = "/api/auth";
/** How long an invite exchange waits for the appointments service before answering 503. */
const appointmentsTimeoutMs = 5000;
const migrations = fileURLToPath(new URL("./migrations", import.meta.url));

export async function buildApp(options: AuthAppOptions): Promise<App> {
  const { config } = options;
  const app = await createService({
    name: "auth-service",
    title: "Auth service",
    description: "Users, password login, access tokens (EdDSA JWT, JWKS) and rotating refresh tokens.",
    logLevel: config.LOG_LEVEL,
    logFormat: config.LOG_FORMAT,
    maxEventLoopDelayMs: maxEventLoopDelay(config),
    // Off by default: the login rate limit keys on the client address, and a forwarded-for
    // header believed from anyone would let a client pick its own.
    ...(config.TRUST_PROXY ? { trustProxy: config.TRUST_PROXY } : {}),
    bodyLimit: config.BODY_LIMIT_BYTES,
    servers: serviceServers({ name: "auth service", port: config.PORT, gatewayPrefix: "/auth" }),
    tags: [
      { name: "tokens", description: "Login, refresh and logout" },
      { name: "users", description: "The signed-in user" },
      { name: "people", description: "A clinic's people, managed by its admins; set-password links" },
      { name: "directory", description: "Looking up people of one's clinic (booking)" },
      { name: "keys", description: "Public keys for verifying access tokens" },
      { name: "client", description: "Settings the web app reads (idle logoff, time zone)" },
      { name: "health", description: "Service status" },
    ],
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  const database: AuthDatabase = await openDatabase<AuthTables>(
    options.database ?? {
      service: "auth-service",
      url: config.DATABASE_URL,
      ownerUrl: config.DATABASE_OWNER_URL,
      dataDir: config.DATA_DIR,
      ...databaseTimeouts(config),
      logger: app.log as Logger,
    },
  );
  app.addHook("onClose", () => database.close());
  options.onDatabase?.(database);
  try {
    await migrate(database, migrations, app.log as Logger, { appendOnly: appendOnlyTables });
    if (config.SEED_DEMO === "1") await seedDemoUsers(database, app.log as Logger);
    const now = options.now ?? (() => new Date());
    const keys = await openSigningKeys({
      database,
      fromEnv: config.AUTH_SIGNING_KEY,
      // Checked by loadAuthConfig: set means valid.
      encryptionKey: config.AUTH_KEY_ENCRYPTION_KEY ? parseKeyEncryptionKey(config.AUTH_KEY_ENCRYPTION_KEY) : undefined,
      accessTtlSeconds: config.ACCESS_TOKEN_TTL_SEC,
      now,
      logger: app.log as Logger,
    });
    const loginFailures = counter(app.metrics, {
      name: "auth_login_failures_total",
      help: "Refused logins, by reason: invalid_credentials (wrong email or password) or rate_limited",
      labelNames: ["reason"],
    });
    // Both series exist from the start, so a rate over the first failure is not lost.
    for (const reason of ["invalid_credentials", "rate_limited"]) loginFailures.inc({ reason }, 0);
    const verify =
      options.verify ??
      createTokenVerifier({ jwks: () => keys.jwks(), issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
    const tokens = createTokensService({
      db: database.db,
      keys,
      access: { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: config.ACCESS_TOKEN_TTL_SEC },
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SEC,
      sessionMaxHours: config.SESSION_MAX_HOURS,
      refreshReuseGraceSeconds: config.REFRESH_REUSE_GRACE_S,
      now,
      onLoginFailure: (reason) => {
        loginFailures.inc({ reason: reason.toLowerCase() });
        options.onLoginFailure?.(reason);
      },
    });

    const checks = [{ name: "database", check: () => database.ping() }];
    registerHealth(app, "auth-service", checks, "getAuthHealth");
    registerProbes(app, { checks, operationIds: { liveness: "getAuthLiveness", readiness: "getAuthReadiness" } });
    // Only routes that opt in (login) are limited. With REDIS_URL every replica counts in
    // Redis (ioredis loaded only then); otherwise each process in its own memory.
    await app.register(rateLimit, {
      global: false,
      ...(config.REDIS_URL
        ? { store: await redisLoginLimitStore(app, config.REDIS_URL, config.REDIS_KEY_PREFIX) }
        : {}),
    });
    await app.register(authPlugin, { verify });
    await app.register(
      async (api) => {
        await api.register(tokensRoutes, {
          tokens,
          loginRateLimit: {
            max: config.LOGIN_RATE_LIMIT_MAX,
            maxPerAddress: config.LOGIN_RATE_LIMIT_ADDRESS_MAX,
            windowSeconds: config.LOGIN_RATE_LIMIT_WINDOW_SEC,
          },
          trustProxy: config.TRUST_PROXY,
        });
        await api.register(clientConfigRoutes, {
          config: {
            idle_logoff_min: config.IDLE_LOGOFF_MIN,
            session_max_hours: config.SESSION_MAX_HOURS,
            clinic_time_zone: config.CLINIC_TIME_ZONE,
          },
        });
        await api.register(usersRoutes, {
          database,
          users: createUsersService({
            db: database.db,
            publicWebUrl: config.PUBLIC_WEB_URL,
            linkTtlHours: config.PASSWORD_LINK_TTL_HOURS,
            now,
          }),
          // Per address, as login's per-address-and-email limit: a link's token is not guessable,
          // the limit keeps scrypt work (and probing) bounded.
          passwordRateLimit: { max: config.LOGIN_RATE_LIMIT_MAX, windowSeconds: config.LOGIN_RATE_LIMIT_WINDOW_SEC },
        });
        await api.register(jwksRoutes, { keys });
        await api.register(inviteTokenRoutes, {
          invites: createInviteTokenService({
            keys,
            access: {
              issuer: config.JWT_ISSUER,
              audience: config.JWT_AUDIENCE,
              ttlSeconds: config.ACCESS_TOKEN_TTL_SEC,
            },
            resolver: createInviteResolver({
              baseUrl: options.appointmentsUrl ?? config.APPOINTMENTS_URL,
              timeoutMs: appointmentsTimeoutMs,
            }),
            now,
          }),
          // The login's per-address limit: a link's token cannot be guessed, this keeps the
          // lookups one client can cause bounded.
          rateLimit: {
            maxPerAddress: config.LOGIN_RATE_LIMIT_ADDRESS_MAX,
            windowSeconds: config.LOGIN_RATE_LIMIT_WINDOW_SEC,
          },
        });
      },
      { prefix: authBasePath },
    );
    await app.ready();
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}

/** The login limit's Redis store; the connection closes with the app. */
async function redisLoginLimitStore(app: App, url: string, keyPrefix: string) {
  const { connectRedis } = await import("@clinic/platform/redis");
  const redis = connectRedis(url, { logger: app.log as Logger, name: "auth-login-limit" });
  // Counters need no flush: drop the connection rather than wait on a Redis that may not answer.
  app.addHook("onClose", async () => redis.disconnect());
  return loginLimitStore({ redis, prefix: `${keyPrefix}auth:login-limit:`, log: app.log });
}

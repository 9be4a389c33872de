import type { App } from "@clinic/platform";
import { captureLogs, testDatabase } from "@clinic/platform/testing";
import { type AuthAppOptions, buildApp } from "./app.ts";
import { loadAuthConfig } from "./config.ts";
import type { AuthDatabase } from "./database.ts";

/**
 * Builds the real auth service for a test: its own database (fresh PostgreSQL schema when
 * DATABASE_URL is set, in-memory PGlite otherwise), demo users seeded, logs captured.
 */
export async function buildTestApp(
  env: Record<string, string> = {},
  extra: { now?: () => Date; service?: string; onLoginFailure?: AuthAppOptions["onLoginFailure"] } = {},
) {
  const logs = captureLogs();
  const target = testDatabase(extra.service ?? "auth");
  const config = loadAuthConfig({ SEED_DEMO: "1", LOG_LEVEL: "debug", ...env });
  let app: App;
  let database: AuthDatabase | undefined;
  try {
    app = await buildApp({
      config,
      database: target.options,
      logStream: logs.stream,
      onDatabase: (opened) => {
        database = opened;
      },
      ...(extra.now ? { now: extra.now } : {}),
      ...(extra.onLoginFailure ? { onLoginFailure: extra.onLoginFailure } : {}),
    });
  } catch (err) {
    await target.drop();
    throw err;
  }
  return {
    app,
    logs,
    config,
    /** The service's own database (audit rows, fixtures a test cannot create over HTTP). */
    db: (database as AuthDatabase).db,
    close: async () => {
      await app.close();
      await target.drop();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof buildTestApp>>;

export async function login(app: App, email: string, password: string, remoteAddress?: string) {
  return app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { email, password },
    ...(remoteAddress ? { remoteAddress } : {}),
  });
}

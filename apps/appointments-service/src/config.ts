import {
  ConfigError,
  commonConfig,
  demoSeedProblems,
  demoSeedSetting,
  eventRetentionConfig,
  jwksCacheConfig,
  loadConfig,
} from "@clinic/platform";
import { type Static, Type } from "typebox";

export const appointmentsConfigSchema = Type.Object({
  ...commonConfig,
  ...eventRetentionConfig,
  ...jwksCacheConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8082, description: "port to listen on" }),
  AUTH_JWKS_URL: Type.String({
    pattern: "^https?://",
    default: "http://127.0.0.1:8080/api/auth/.well-known/jwks.json",
    description: "the auth service's public keys, for verifying access tokens",
  }),
  AUTH_URL: Type.String({
    pattern: "^https?://",
    default: "http://127.0.0.1:8080",
    description: "the auth service's base URL: a booking's doctor and patient are checked in its directory",
  }),
  SEED_DEMO: Type.Optional(
    Type.Union([Type.Literal("0"), Type.Literal("1")], {
      description: "seed demo appointments; default 1 without DATABASE_URL, 0 with it; never with NODE_ENV=production",
    }),
  ),
  PUBLIC_WEB_URL: Type.String({
    // No trailing slash: links are built as <PUBLIC_WEB_URL>/join/<token>.
    pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*[^\\s?#/])?$",
    default: "http://localhost:8000",
    description: "where people open the web app (no trailing slash): invite links are <PUBLIC_WEB_URL>/join/<token>",
  }),
  INVITE_GRACE_AFTER_MIN: Type.Integer({
    minimum: 0,
    maximum: 24 * 60,
    default: 30,
    description:
      "minutes after an appointment's planned end its invite links keep working (match the video service's JOIN_WINDOW_AFTER_MIN)",
  }),
  OUTBOX_INTERVAL_MS: Type.Integer({
    minimum: 50,
    maximum: 60_000,
    default: 1000,
    description: "how often the outbox relay looks for unsent events (it is also woken after each commit)",
  }),
});

export type AppointmentsConfig = Static<typeof appointmentsConfigSchema> & { SEED_DEMO: "0" | "1" };

export function loadAppointmentsConfig(env: Record<string, string | undefined> = process.env): AppointmentsConfig {
  const seedProblems = demoSeedProblems(env);
  let config: Static<typeof appointmentsConfigSchema>;
  try {
    config = loadConfig(appointmentsConfigSchema, env);
  } catch (err) {
    if (err instanceof ConfigError && seedProblems.length > 0)
      throw new ConfigError([...err.problems, ...seedProblems]);
    throw err;
  }
  if (seedProblems.length > 0) throw new ConfigError(seedProblems);
  // Demo data belongs to embedded development; a real database gets it only when asked,
  // production never (demoSeedProblems).
  return { ...config, SEED_DEMO: demoSeedSetting({ ...config, NODE_ENV: env.NODE_ENV }) };
}

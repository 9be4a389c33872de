import { commonConfig, eventRetentionConfig, jwksCacheConfig, loadConfig } from "@clinic/platform";
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
  SEED_DEMO: Type.Optional(
    Type.Union([Type.Literal("0"), Type.Literal("1")], {
      description: "seed demo appointments; default 1 without DATABASE_URL, 0 with it",
    }),
  ),
  OUTBOX_INTERVAL_MS: Type.Integer({
    minimum: 50,
    maximum: 60_000,
    default: 1000,
    description: "how often the outbox relay looks for unsent events (it is also woken after each commit)",
  }),
});

export type AppointmentsConfig = Static<typeof appointmentsConfigSchema> & { SEED_DEMO: "0" | "1" };

export function loadAppointmentsConfig(env: Record<string, string | undefined> = process.env): AppointmentsConfig {
  const config = loadConfig(appointmentsConfigSchema, env);
  // Demo data belongs to the embedded mode; a real database gets it only when asked.
  return { ...config, SEED_DEMO: config.SEED_DEMO ?? (config.DATABASE_URL ? "0" : "1") };
}

import { commonConfig, loadConfig } from "@clinic/platform";
import { type Static, Type } from "typebox";

const upstreamUrl = (service: string, fallback: string) =>
  Type.String({ pattern: "^https?://", default: fallback, description: `base URL of the ${service} service` });

export const gatewayConfigSchema = Type.Object({
  HOST: commonConfig.HOST,
  LOG_LEVEL: commonConfig.LOG_LEVEL,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8000, description: "port the gateway listens on" }),
  AUTH_URL: upstreamUrl("auth", "http://127.0.0.1:8080"),
  APPOINTMENTS_URL: upstreamUrl("appointments", "http://127.0.0.1:8082"),
  VIDEO_URL: upstreamUrl("video", "http://127.0.0.1:8086"),
  CORS_ORIGINS: Type.String({
    default: "http://localhost:8000,http://127.0.0.1:8000",
    pattern: "^\\s*(\\*|https?://[^,\\s]+(\\s*,\\s*https?://[^,\\s]+)*)\\s*$",
    description: "comma-separated browser origins allowed to call the API cross-origin, or *",
  }),
  UPSTREAM_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 10_000,
    description: "how long to wait for an upstream's response headers before answering 504",
  }),
  WEB_DIST_DIR: Type.Optional(Type.String({ description: "built web app to serve at /; default apps/web/dist" })),
});

export type GatewayConfig = Static<typeof gatewayConfigSchema>;

export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return loadConfig(gatewayConfigSchema, env);
}

/** `CORS_ORIGINS` as the CORS plugin wants it: `*` or an exact list (no patterns, no guessing). */
export function corsOrigins(config: Pick<GatewayConfig, "CORS_ORIGINS">): "*" | string[] {
  if (config.CORS_ORIGINS.trim() === "*") return "*";
  return config.CORS_ORIGINS.split(",")
    .map((origin) => origin.trim().replace(/\/$/, ""))
    .filter(Boolean);
}

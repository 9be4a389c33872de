import { commonConfig, loadConfig } from "@clinic/platform";
import { type Static, Type } from "typebox";

export const authConfigSchema = Type.Object({
  ...commonConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: "port to listen on" }),
  ACCESS_TOKEN_TTL_SEC: Type.Integer({
    minimum: 60,
    maximum: 3600,
    default: 900,
    description: "access token lifetime",
  }),
  REFRESH_TOKEN_TTL_SEC: Type.Integer({
    minimum: 300,
    maximum: 90 * 86400,
    default: 7 * 86400,
    description: "refresh token lifetime, renewed by each rotation",
  }),
  LOGIN_RATE_LIMIT_MAX: Type.Integer({
    minimum: 1,
    default: 10,
    description: "login attempts per client IP and email within the window",
  }),
  LOGIN_RATE_LIMIT_ADDRESS_MAX: Type.Integer({
    minimum: 1,
    default: 100,
    description: "login attempts per client IP, whatever the email, within the window",
  }),
  LOGIN_RATE_LIMIT_WINDOW_SEC: Type.Integer({ minimum: 1, default: 300, description: "login rate limit window" }),
  AUTH_SIGNING_KEY: Type.Optional(
    Type.String({ description: "private Ed25519 JWK as JSON; unset = generated once and kept in the database" }),
  ),
  SEED_DEMO: Type.Optional(
    Type.Union([Type.Literal("0"), Type.Literal("1")], {
      description: "seed the demo clinic and users; default 1 without DATABASE_URL, 0 with it",
    }),
  ),
  TRUST_PROXY: Type.Optional(
    Type.String({
      description: "proxies whose X-Forwarded-For is believed: `true` or a comma-separated address/CIDR list",
    }),
  ),
});

export type AuthConfig = Static<typeof authConfigSchema> & { SEED_DEMO: "0" | "1" };

export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const config = loadConfig(authConfigSchema, env);
  // Demo people belong to the embedded mode; a real database gets them only when asked.
  return { ...config, SEED_DEMO: config.SEED_DEMO ?? (config.DATABASE_URL ? "0" : "1") };
}

/**
 * Fastify's `trustProxy` from TRUST_PROXY. Off by default: the login rate limit keys on the
 * client address, and a forwarded-for header from an untrusted client would let it pick one.
 */
export function trustProxySetting(value: string | undefined): true | string[] | undefined {
  if (value === undefined || value === "false") return undefined;
  if (value === "true") return true;
  return value
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}

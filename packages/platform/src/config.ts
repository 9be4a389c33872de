import { type Static, type TObject, Type } from "typebox";
import { Value } from "typebox/value";

/** Thrown once at start-up with one line per bad variable, so an operator fixes them all in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Reads environment variables against a TypeBox object schema. Values are strings in the
 * environment; integers and booleans are converted, defaults applied, and every failure
 * reported by variable name (never by value: a bad value may be a secret).
 */
export function loadConfig<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): Static<T> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw));
  const problems = new Map<string, string>();
  for (const error of Value.Errors(schema, converted)) {
    const missing = (error.params as { requiredProperties?: string[] }).requiredProperties;
    const names = missing ?? [error.instancePath.replace(/^\//, "")];
    for (const name of names) {
      // A union reports each branch that failed; the first message per variable is enough.
      if (problems.has(name)) continue;
      const property = schema.properties[name] as { description?: string; anyOf?: { const?: unknown }[] } | undefined;
      const choices = property?.anyOf?.every((s) => s.const !== undefined) ? property.anyOf.map((s) => s.const) : [];
      const message = missing ? "is required" : choices.length ? `must be one of ${choices.join(", ")}` : error.message;
      problems.set(name, `${name}: ${message}${property?.description ? ` (${property.description})` : ""}`);
    }
  }
  if (problems.size > 0) throw new ConfigError([...problems.values()]);
  return converted as Static<T>;
}

/** Variables every service shares. Service schemas spread these in. */
export const commonConfig = {
  HOST: Type.String({ default: "0.0.0.0", description: "interface to listen on" }),
  LOG_LEVEL: Type.Union(
    ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l)),
    { default: "info", description: "pino log level" },
  ),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: "^postgres(ql)?://", description: "PostgreSQL URL; unset = embedded PGlite" }),
  ),
  DATA_DIR: Type.String({ default: ".data", description: "where embedded PGlite keeps its files" }),
  AMQP_URL: Type.Optional(Type.String({ pattern: "^amqps?://", description: "RabbitMQ URL; unset = in-process bus" })),
  JWT_ISSUER: Type.String({ default: "clinic-auth", description: "expected `iss` of access tokens" }),
  JWT_AUDIENCE: Type.String({ default: "clinic-api", description: "expected `aud` of access tokens" }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 65536, description: "largest request body accepted" }),
};

import { type Static, type TObject, type TSchema, Type } from "typebox";
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
  const converted = Value.Convert(schema, Value.Default(schema, raw)) as Record<string, unknown>;
  // Each variable is checked on its own: TypeBox stops collecting errors after a few
  // (Settings.maxErrors), and one union alone can fill that, hiding the other bad variables.
  const required = new Set<string>((schema as { required?: string[] }).required ?? []);
  const problems: string[] = [];
  for (const [name, property] of Object.entries(schema.properties) as [string, ConfigProperty][]) {
    const value = converted[name];
    const described = property.description ? ` (${property.description})` : "";
    if (value === undefined) {
      if (required.has(name)) problems.push(`${name}: is required${described}`);
      continue;
    }
    const [error] = Value.Errors(property, value);
    if (!error) continue;
    // A union reports each branch that failed; naming the allowed values says it better.
    const choices = property.anyOf?.every((s) => s.const !== undefined) ? property.anyOf.map((s) => s.const) : [];
    problems.push(`${name}: ${choices.length ? `must be one of ${choices.join(", ")}` : error.message}${described}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return converted as Static<T>;
}

type ConfigProperty = TSchema & { description?: string; anyOf?: { const?: unknown }[] };

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

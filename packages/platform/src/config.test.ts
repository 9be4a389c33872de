import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import { ConfigError, commonConfig, loadConfig } from "./config.ts";

const schema = Type.Object({
  ...commonConfig,
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8080, description: "port to listen on" }),
  FEATURE_ON: Type.Boolean({ default: false }),
  API_KEY: Type.String({ minLength: 8, description: "key for the upstream API" }),
});

const problemsOf = (env: Record<string, string | undefined>): string[] => {
  try {
    loadConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
};

describe("loadConfig", () => {
  it("applies defaults and leaves optional variables out", () => {
    const config = loadConfig(schema, { API_KEY: "abcdefgh" });
    expect(config).toEqual({
      HOST: "0.0.0.0",
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
      DATA_DIR: ".data",
      DB_STATEMENT_TIMEOUT_MS: 15_000,
      DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: 30_000,
      JWT_ISSUER: "clinic-auth",
      JWT_AUDIENCE: "clinic-api",
      BODY_LIMIT_BYTES: 65536,
      PORT: 8080,
      FEATURE_ON: false,
      API_KEY: "abcdefgh",
    });
  });

  it("converts strings to integers and booleans, and treats empty values as unset", () => {
    const config = loadConfig(schema, {
      API_KEY: "abcdefgh",
      PORT: "9090",
      FEATURE_ON: "true",
      BODY_LIMIT_BYTES: "2048",
      DATABASE_URL: "",
      UNRELATED: "ignored",
    });
    expect(config.PORT).toBe(9090);
    expect(config.FEATURE_ON).toBe(true);
    expect(config.BODY_LIMIT_BYTES).toBe(2048);
    expect(config).not.toHaveProperty("DATABASE_URL");
    expect(config).not.toHaveProperty("UNRELATED");
  });

  it("reports one message per bad variable, all at once, by name and with its description", () => {
    const problems = problemsOf({
      PORT: "eighty",
      LOG_LEVEL: "loud",
      DATABASE_URL: "mysql://db",
      BODY_LIMIT_BYTES: "12",
    });
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "API_KEY",
      "BODY_LIMIT_BYTES",
      "DATABASE_URL",
      "LOG_LEVEL",
      "PORT",
    ]);
    expect(problems).toContain("API_KEY: is required (key for the upstream API)");
    expect(problems).toContain(
      "LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (pino log level)",
    );
    expect(problems.find((p) => p.startsWith("PORT:"))).toMatch(/integer.*\(port to listen on\)/);
  });

  it("never repeats a bad value in the message (it may be a secret)", () => {
    let error: unknown;
    try {
      loadConfig(schema, { API_KEY: "s3cr3t", DATABASE_URL: "mysql://user:hunter2@db" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid configuration:\n {2}- /);
    expect(message).not.toContain("s3cr3t");
    expect(message).not.toContain("hunter2");
  });
});

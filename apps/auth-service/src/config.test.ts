import { randomBytes } from "node:crypto";
import { ConfigError } from "@clinic/platform";
import { describe, expect, it } from "vitest";
import { loadAuthConfig } from "./config.ts";

describe("auth configuration", () => {
  it("has the documented defaults", () => {
    expect(loadAuthConfig({})).toMatchObject({
      PORT: 8080,
      ACCESS_TOKEN_TTL_SEC: 900,
      REFRESH_TOKEN_TTL_SEC: 604800,
      LOGIN_RATE_LIMIT_MAX: 10,
      LOGIN_RATE_LIMIT_ADDRESS_MAX: 100,
      LOGIN_RATE_LIMIT_WINDOW_SEC: 300,
      JWT_ISSUER: "clinic-auth",
      JWT_AUDIENCE: "clinic-api",
      SEED_DEMO: "1",
    });
  });

  it("seeds demo users by default only in embedded mode", () => {
    expect(loadAuthConfig({ DATABASE_URL: "postgres://db/clinic" }).SEED_DEMO).toBe("0");
    expect(loadAuthConfig({ DATABASE_URL: "postgres://db/clinic", SEED_DEMO: "1" }).SEED_DEMO).toBe("1");
    expect(loadAuthConfig({ SEED_DEMO: "0" }).SEED_DEMO).toBe("0");
  });

  it("converts numbers and names every bad variable once, without its value", () => {
    expect(loadAuthConfig({ ACCESS_TOKEN_TTL_SEC: "600" }).ACCESS_TOKEN_TTL_SEC).toBe(600);
    let error: unknown;
    try {
      loadAuthConfig({ PORT: "http", ACCESS_TOKEN_TTL_SEC: "5", SEED_DEMO: "yes-secret" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual(["ACCESS_TOKEN_TTL_SEC", "PORT", "SEED_DEMO"]);
    expect((error as Error).message).not.toContain("yes-secret");
  });

  it("reads TRUST_PROXY as an address/CIDR list and refuses `true`, naming the variable", () => {
    expect(loadAuthConfig({}).TRUST_PROXY).toBeUndefined();
    expect(loadAuthConfig({ TRUST_PROXY: "127.0.0.1, 10.0.0.0/8" }).TRUST_PROXY).toBe("127.0.0.1, 10.0.0.0/8");
    for (const value of ["true", "false", "*", "loopback"]) {
      let error: unknown;
      try {
        loadAuthConfig({ TRUST_PROXY: value });
      } catch (err) {
        error = err;
      }
      expect(error, value).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^TRUST_PROXY: .*`true` is refused/)]);
    }
  });

  it("takes REDIS_URL for the login limit (unset: counted in memory), without echoing a bad one", () => {
    expect(loadAuthConfig({}).REDIS_URL).toBeUndefined();
    expect(loadAuthConfig({}).REDIS_KEY_PREFIX).toBe("clinic:");
    expect(loadAuthConfig({ REDIS_URL: "redis://:pw@cache:6379/2" }).REDIS_URL).toBe("redis://:pw@cache:6379/2");
    let error: unknown;
    try {
      loadAuthConfig({ REDIS_URL: "http://:hunter2@cache:6379", REDIS_KEY_PREFIX: "a b" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "REDIS_KEY_PREFIX",
      "REDIS_URL",
    ]);
    expect((error as Error).message).not.toContain("hunter2");
  });
});

describe("signing key encryption and session settings", () => {
  const key = randomBytes(32);
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadAuthConfig(env);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    return [];
  };

  it("accepts AUTH_KEY_ENCRYPTION_KEY as 32 bytes of base64 or base64url", () => {
    for (const value of [key.toString("base64"), key.toString("base64url")]) {
      expect(loadAuthConfig({ AUTH_KEY_ENCRYPTION_KEY: value, NODE_ENV: "production" }).AUTH_KEY_ENCRYPTION_KEY).toBe(
        value,
      );
    }
  });

  it("refuses a key of another length or alphabet, naming the variable and how to make one, not the value", () => {
    for (const value of [randomBytes(16).toString("base64"), `${key.toString("hex")}`, "not a key at all"]) {
      const problems = problemsOf({ AUTH_KEY_ENCRYPTION_KEY: value });
      expect(problems).toEqual([expect.stringMatching(/^AUTH_KEY_ENCRYPTION_KEY: .*openssl rand -base64 32/)]);
      expect(problems.join("\n")).not.toContain(value);
    }
  });

  it("with NODE_ENV=production, refuses to start without AUTH_KEY_ENCRYPTION_KEY, in one line", () => {
    expect(problemsOf({ NODE_ENV: "production" })).toEqual([
      expect.stringMatching(/^AUTH_KEY_ENCRYPTION_KEY: is required when NODE_ENV=production/),
    ]);
    // Reported with the other bad variables, not instead of them.
    expect(problemsOf({ NODE_ENV: "production", PORT: "http" }).map((p) => p.split(":")[0])).toEqual([
      "PORT",
      "AUTH_KEY_ENCRYPTION_KEY",
    ]);
    // A key from the environment (a secret store) is not kept in the database: nothing to encrypt.
    expect(problemsOf({ NODE_ENV: "production", AUTH_SIGNING_KEY: '{"kty":"OKP"}' })).toEqual([]);
    // Development keeps working without it (the service logs a warning).
    expect(problemsOf({})).toEqual([]);
  });

  it("ends a login after SESSION_MAX_HOURS, 12 by default", () => {
    expect(loadAuthConfig({}).SESSION_MAX_HOURS).toBe(12);
    expect(loadAuthConfig({ SESSION_MAX_HOURS: "8" }).SESSION_MAX_HOURS).toBe(8);
    expect(problemsOf({ SESSION_MAX_HOURS: "0" }).map((p) => p.split(":")[0])).toEqual(["SESSION_MAX_HOURS"]);
  });

  it("reads the refresh grace window (0..60 s, default 5) and the idle logoff (1..240 min, default 15)", () => {
    expect(loadAuthConfig({})).toMatchObject({ REFRESH_REUSE_GRACE_S: 5, IDLE_LOGOFF_MIN: 15 });
    expect(loadAuthConfig({ REFRESH_REUSE_GRACE_S: "0", IDLE_LOGOFF_MIN: "240" })).toMatchObject({
      REFRESH_REUSE_GRACE_S: 0,
      IDLE_LOGOFF_MIN: 240,
    });
    expect(problemsOf({ REFRESH_REUSE_GRACE_S: "61", IDLE_LOGOFF_MIN: "0" }).map((p) => p.split(":")[0])).toEqual([
      "REFRESH_REUSE_GRACE_S",
      "IDLE_LOGOFF_MIN",
    ]);
    expect(problemsOf({ IDLE_LOGOFF_MIN: "241" }).map((p) => p.split(":")[0])).toEqual(["IDLE_LOGOFF_MIN"]);
  });

  it("takes CLINIC_TIME_ZONE as an IANA zone name (default UTC) and refuses anything else, once, at start-up", () => {
    expect(loadAuthConfig({}).CLINIC_TIME_ZONE).toBe("UTC");
    for (const zone of ["Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "UTC"]) {
      expect(loadAuthConfig({ CLINIC_TIME_ZONE: zone }).CLINIC_TIME_ZONE).toBe(zone);
    }
    for (const zone of ["Mars/Olympus_Mons", "+01:00", "CET; DROP", "Europe/../UTC", "x".repeat(80)]) {
      expect(problemsOf({ CLINIC_TIME_ZONE: zone }), zone).toEqual([
        expect.stringMatching(/^CLINIC_TIME_ZONE: is not an IANA time zone name/),
      ]);
    }
    // With the other bad variables, not instead of them.
    expect(problemsOf({ CLINIC_TIME_ZONE: "Nowhere", PORT: "http" }).map((p) => p.split(":")[0])).toEqual([
      "PORT",
      "CLINIC_TIME_ZONE",
    ]);
  });
});

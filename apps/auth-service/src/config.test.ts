import { ConfigError } from "@clinic/platform";
import { describe, expect, it } from "vitest";
import { loadAuthConfig, trustProxySetting } from "./config.ts";

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

  it("reads TRUST_PROXY as off, true, or an address list", () => {
    expect(trustProxySetting(undefined)).toBeUndefined();
    expect(trustProxySetting("false")).toBeUndefined();
    expect(trustProxySetting("true")).toBe(true);
    expect(trustProxySetting("127.0.0.1, 10.0.0.0/8")).toEqual(["127.0.0.1", "10.0.0.0/8"]);
  });
});

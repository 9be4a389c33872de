import { ConfigError } from "@clinic/platform";
import { describe, expect, it } from "vitest";
import { defaultInstanceId, loadVideoConfig, parseIceServers, turnSettings } from "./config.ts";

describe("video service configuration", () => {
  it("has the documented defaults", () => {
    expect(loadVideoConfig({})).toMatchObject({
      PORT: 8086,
      APPOINTMENTS_URL: "http://127.0.0.1:8082",
      APPOINTMENTS_TIMEOUT_MS: 3000,
      MEDIA_PROVIDER: "embedded",
      ICE_SERVERS: "[]",
      FREE_TIER_MINUTES: 1000,
      USAGE_LIMIT_POLICY: "block",
      JOIN_WINDOW_BEFORE_MIN: 10,
      JOIN_WINDOW_AFTER_MIN: 30,
      IDLE_TIMEOUT_MIN: 15,
      JOIN_TOKEN_TTL_SEC: 600,
    });
  });

  it("names every bad variable in one error, ICE_SERVERS included", () => {
    try {
      loadVideoConfig({ PORT: "x", MEDIA_PROVIDER: "zoom", USAGE_LIMIT_POLICY: "maybe", ICE_SERVERS: "{nope" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).problems.join("\n");
      for (const name of ["PORT", "MEDIA_PROVIDER", "USAGE_LIMIT_POLICY", "ICE_SERVERS"]) expect(text).toContain(name);
    }
  });

  it("TURN: off by default; turn:/turns: URLs with a secret, TTL bounded, relay only with TURN", () => {
    expect(loadVideoConfig({})).toMatchObject({ TURN_TTL_S: 3600, ICE_TRANSPORT_POLICY: "all" });
    expect(turnSettings(loadVideoConfig({}))).toBeUndefined();
    const config = loadVideoConfig({
      TURN_URLS: "turn:turn.example:3478?transport=udp, turns:turn.example:5349",
      TURN_SECRET: "north",
      TURN_TTL_S: "600",
      ICE_TRANSPORT_POLICY: "relay",
    });
    expect(turnSettings(config)).toEqual({
      urls: ["turn:turn.example:3478?transport=udp", "turns:turn.example:5349"],
      secret: "north",
      ttlSeconds: 600,
    });
    const problems = (env: Record<string, string>) => {
      try {
        loadVideoConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems.join("\n");
      }
      throw new Error("expected a ConfigError");
    };
    expect(problems({ TURN_URLS: "stun:stun.example:3478", TURN_SECRET: "north" })).toMatch(
      /TURN_URLS: each entry must be a turn: or turns: URL/,
    );
    expect(problems({ TURN_URLS: "turn:a:3478,https://b", TURN_SECRET: "north" })).toMatch(/TURN_URLS/);
    expect(problems({ TURN_URLS: "turn:turn.example:3478" })).toMatch(/TURN_SECRET: is required with TURN_URLS/);
    expect(problems({ TURN_SECRET: "north" })).toMatch(/TURN_URLS: is required with TURN_SECRET/);
    expect(problems({ ICE_TRANSPORT_POLICY: "relay" })).toMatch(/ICE_TRANSPORT_POLICY: relay requires TURN_URLS/);
    expect(problems({ ICE_TRANSPORT_POLICY: "turn-only" })).toMatch(/ICE_TRANSPORT_POLICY/);
    for (const ttl of ["59", "86401", "1.5", "x"]) expect(problems({ TURN_TTL_S: ttl })).toMatch(/TURN_TTL_S/);
  });

  it("requires telehealth consent unless TELEHEALTH_CONSENT=off", () => {
    expect(loadVideoConfig({}).TELEHEALTH_CONSENT).toBe("required");
    expect(loadVideoConfig({ TELEHEALTH_CONSENT: "off" }).TELEHEALTH_CONSENT).toBe("off");
    expect(() => loadVideoConfig({ TELEHEALTH_CONSENT: "maybe" })).toThrow(/TELEHEALTH_CONSENT/);
  });

  it("replicas: REDIS_URL needs JOIN_TOKEN_PRIVATE_JWK; INSTANCE_ID and REDIS_KEY_PREFIX are checked", () => {
    expect(loadVideoConfig({}).REDIS_KEY_PREFIX).toBe("clinic:");
    expect(() => loadVideoConfig({ REDIS_URL: "redis://127.0.0.1:6379" })).toThrow(
      /JOIN_TOKEN_PRIVATE_JWK: is required with REDIS_URL/,
    );
    expect(
      loadVideoConfig({ REDIS_URL: "redis://127.0.0.1:6379", JOIN_TOKEN_PRIVATE_JWK: "{}", INSTANCE_ID: "video-2" }),
    ).toMatchObject({ REDIS_URL: "redis://127.0.0.1:6379", INSTANCE_ID: "video-2" });
    for (const env of [
      { REDIS_URL: "http://x" },
      { INSTANCE_ID: "a b" },
      { INSTANCE_ID: "-x" },
      { REDIS_KEY_PREFIX: "a*" },
    ]) {
      expect(() => loadVideoConfig(env)).toThrow(new RegExp(Object.keys(env)[0]!));
    }
    expect(defaultInstanceId()).toMatch(/^video-[A-Za-z0-9._-]+-\d+$/);
  });

  it("parses STUN/TURN servers", () => {
    const servers =
      '[{"urls":"stun:stun.example.org:3478"},{"urls":["turn:turn.example.org"],"username":"u","credential":"c"}]';
    expect(parseIceServers(servers)).toHaveLength(2);
    expect(() => parseIceServers('[{"url":"stun:x"}]')).toThrow(ConfigError);
  });
});

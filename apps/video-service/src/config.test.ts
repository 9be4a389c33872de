import { ConfigError } from "@clinic/platform";
import { describe, expect, it } from "vitest";
import { loadVideoConfig, parseIceServers } from "./config.ts";

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

  it("requires telehealth consent unless TELEHEALTH_CONSENT=off", () => {
    expect(loadVideoConfig({}).TELEHEALTH_CONSENT).toBe("required");
    expect(loadVideoConfig({ TELEHEALTH_CONSENT: "off" }).TELEHEALTH_CONSENT).toBe("off");
    expect(() => loadVideoConfig({ TELEHEALTH_CONSENT: "maybe" })).toThrow(/TELEHEALTH_CONSENT/);
  });

  it("parses STUN/TURN servers", () => {
    const servers =
      '[{"urls":"stun:stun.example.org:3478"},{"urls":["turn:turn.example.org"],"username":"u","credential":"c"}]';
    expect(parseIceServers(servers)).toHaveLength(2);
    expect(() => parseIceServers('[{"url":"stun:x"}]')).toThrow(ConfigError);
  });
});

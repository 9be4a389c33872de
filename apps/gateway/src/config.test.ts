import { ConfigError } from "@clinic/platform";
import { describe, expect, it } from "vitest";
import { corsOrigins, loadGatewayConfig } from "./config.ts";
import { upstreamRoutes } from "./routes.ts";

describe("gateway config", () => {
  it("defaults each upstream to the route table's local URL", () => {
    const config = loadGatewayConfig({});
    for (const route of upstreamRoutes) expect(config[route.urlVariable]).toBe(route.defaultUrl);
    expect(config.PORT).toBe(8000);
    expect(config.UPSTREAM_TIMEOUT_MS).toBe(10_000);
    expect(config.GATEWAY_WS_MAX_PER_ADDRESS).toBe(20);
    // Far above the web app's 10 s signalling heartbeat, so a live call never idles out.
    expect(config.GATEWAY_WS_IDLE_TIMEOUT_S).toBe(120);
  });

  it("names every bad variable at once", () => {
    try {
      loadGatewayConfig({
        VIDEO_URL: "video-service:8086",
        UPSTREAM_TIMEOUT_MS: "soon",
        CORS_ORIGINS: "evil",
        GATEWAY_WS_MAX_PER_ADDRESS: "0",
        GATEWAY_WS_IDLE_TIMEOUT_S: "forever",
        GATEWAY_EXPOSE_DOCS: "yes",
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).problems.join("\n");
      for (const name of [
        "VIDEO_URL",
        "UPSTREAM_TIMEOUT_MS",
        "CORS_ORIGINS",
        "GATEWAY_WS_MAX_PER_ADDRESS",
        "GATEWAY_WS_IDLE_TIMEOUT_S",
        "GATEWAY_EXPOSE_DOCS",
      ]) {
        expect(text).toContain(name);
      }
    }
  });

  it("reads CORS_ORIGINS as an exact list or *", () => {
    expect(corsOrigins({ CORS_ORIGINS: "https://a.example/, http://localhost:5173" })).toEqual([
      "https://a.example",
      "http://localhost:5173",
    ]);
    expect(corsOrigins({ CORS_ORIGINS: "*" })).toBe("*");
  });
});

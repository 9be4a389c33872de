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
  });

  it("names every bad variable at once", () => {
    try {
      loadGatewayConfig({ VIDEO_URL: "video-service:8086", UPSTREAM_TIMEOUT_MS: "soon", CORS_ORIGINS: "evil" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).problems.join("\n");
      for (const name of ["VIDEO_URL", "UPSTREAM_TIMEOUT_MS", "CORS_ORIGINS"]) expect(text).toContain(name);
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

import { ConfigError } from "@clinic/platform";
import { describe, expect, it } from "vitest";
import { corsOrigins, loadGatewayConfig, upstreamUrls } from "./config.ts";
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

  it("takes VIDEO_URL as one base URL or a comma-separated list of instances", () => {
    expect(upstreamUrls(loadGatewayConfig({ VIDEO_URL: "http://10.0.0.5:8086" }).VIDEO_URL)).toEqual([
      "http://10.0.0.5:8086",
    ]);
    const config = loadGatewayConfig({ VIDEO_URL: " http://video-1:8086, http://video-2:8086 " });
    expect(upstreamUrls(config.VIDEO_URL)).toEqual(["http://video-1:8086", "http://video-2:8086"]);
    expect(config.GATEWAY_HEALTH_INTERVAL_MS).toBe(2000);
    expect(config.GATEWAY_HEALTH_FAILURES).toBe(2);
  });

  it.each([
    ["http://video-1:8086,video-2:8086", "not in the expected form"],
    ["http://video-1:8086,http://[video-2:8086", "entry 2 is not a valid URL"],
    ["http://video-1:8086,http://video-1:8086", "listed twice"],
    ["http://video-1:8086/a,http://video-2:8086/b", "same scheme and path"],
    ["http://video-1:8086,https://video-2:8086", "same scheme and path"],
    ["http://user:s3cret@video-1:8086,http://user:s3cret@video-2:8086", "credentials"],
  ])("refuses VIDEO_URL=%s, naming the problem and never the value", (value, problem) => {
    try {
      loadGatewayConfig({ VIDEO_URL: value, GATEWAY_HEALTH_INTERVAL_MS: "10", GATEWAY_HEALTH_FAILURES: "0" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems.find((p) => p.startsWith("VIDEO_URL:"))).toContain(problem);
      // The other bad variables are named in the same go.
      expect(problems.join("\n")).toContain("GATEWAY_HEALTH_INTERVAL_MS");
      expect(problems.join("\n")).toContain("GATEWAY_HEALTH_FAILURES");
      expect(problems.join("\n")).not.toContain("s3cret");
    }
  });

  it("reads CORS_ORIGINS as an exact list or *", () => {
    expect(corsOrigins({ CORS_ORIGINS: "https://a.example/, http://localhost:5173" })).toEqual([
      "https://a.example",
      "http://localhost:5173",
    ]);
    expect(corsOrigins({ CORS_ORIGINS: "*" })).toBe("*");
    expect(() => corsOrigins({ CORS_ORIGINS: "https://a.example, *" })).toThrow(/must stand alone/);
  });
});

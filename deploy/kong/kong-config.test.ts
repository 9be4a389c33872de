import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadGatewayConfig, upstreamRoutes } from "@clinic/gateway";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface KongRoute {
  name: string;
  paths: string[];
  strip_path: boolean;
  protocols: string[];
  plugins?: KongPlugin[];
}
interface KongService {
  name: string;
  url: string;
  retries?: number;
  routes: KongRoute[];
}
interface KongUpstream {
  name: string;
  algorithm?: string;
  hash_on?: string;
  healthchecks: {
    active: {
      http_path: string;
      healthy: { interval: number; successes: number };
      unhealthy: { interval: number; http_failures: number; tcp_failures: number };
    };
    passive: { unhealthy: { tcp_failures: number; http_failures: number } };
  };
  targets: { target: string }[];
}
interface KongPlugin {
  name: string;
  config: Record<string, unknown>;
}
interface KongConfig {
  _format_version: string;
  services: KongService[];
  upstreams: KongUpstream[];
  plugins: KongPlugin[];
}

const kong = parse(readFileSync(fileURLToPath(new URL("./kong.yml", import.meta.url)), "utf8")) as KongConfig;
const compose = parse(readFileSync(fileURLToPath(new URL("../docker-compose.yml", import.meta.url)), "utf8")) as {
  services: Record<string, { environment?: Record<string, string> }>;
};

/** Routes that answer themselves (request-termination) and forward nothing. */
const terminates = (route: KongRoute) => route.plugins?.some((p) => p.name === "request-termination") ?? false;
const proxyRoutes = (service: KongService | undefined) => service?.routes.filter((r) => !terminates(r)) ?? [];

/** A Kong regex path (`~…`, PCRE with an inline `(?i)`) as a JavaScript RegExp. */
function kongRegex(path: string): RegExp {
  const body = path.slice(1);
  return body.startsWith("(?i)") ? new RegExp(body.slice(4), "i") : new RegExp(body);
}

describe("deploy/kong/kong.yml matches the gateway's route table", () => {
  it("is a Kong 3 declarative config", () => {
    expect(kong._format_version).toBe("3.0");
  });

  it.each(upstreamRoutes.map((r) => [r.prefix, r] as const))("routes %s like the gateway does", (_prefix, route) => {
    const service = kong.services.find((s) => s.name === route.kong.service);
    expect(service, `Kong service ${route.kong.service}`).toBeDefined();
    expect(service?.url).toBe(route.kong.url);
    // Same port as the service listens on when the gateway runs it locally.
    expect(new URL(service?.url ?? "").port).toBe(new URL(route.defaultUrl).port);
    expect(proxyRoutes(service)).toHaveLength(1);
    const kongRoute = proxyRoutes(service)[0];
    expect(kongRoute?.paths).toEqual([route.prefix]);
    // The gateway strips the prefix (/video/api/video/x → /api/video/x); so must Kong.
    expect(kongRoute?.strip_path).toBe(true);
    expect(kongRoute?.protocols).toEqual(expect.arrayContaining(["http", "https"]));
  });

  it("has no service or route the gateway does not have", () => {
    expect(kong.services.map((s) => s.name).sort()).toEqual(upstreamRoutes.map((r) => r.kong.service).sort());
    const kongPaths = kong.services.flatMap((s) => proxyRoutes(s).flatMap((r) => r.paths)).sort();
    expect(kongPaths).toEqual(upstreamRoutes.map((r) => r.prefix).sort());
  });

  it.each(upstreamRoutes.map((r) => [r.prefix, r] as const))("never forwards %s/metrics", (prefix, route) => {
    const service = kong.services.find((s) => s.name === route.kong.service);
    const blocks = service?.routes.filter(terminates) ?? [];
    expect(blocks).toHaveLength(1);
    const block = blocks[0];
    expect(block?.plugins?.find((p) => p.name === "request-termination")?.config).toMatchObject({
      status_code: 404,
    });
    const body = JSON.parse(String(block?.plugins?.[0]?.config.body));
    expect(body).toEqual({ error: expect.any(String), status: 404, code: "ROUTE_NOT_FOUND" });
    // A regex route: Kong matches it before the service's prefix route.
    expect(block?.paths).toHaveLength(1);
    expect(block?.paths[0]).toMatch(/^~/);
    const blocked = kongRegex(block?.paths[0] ?? "~$^");
    for (const path of [`${prefix}/metrics`, `${prefix}/metrics/`, `${prefix}//METRICS`, `${prefix}/metrics;x`]) {
      expect(blocked.test(path), path).toBe(true);
    }
    for (const path of [`${prefix}/api/video/metrics/usage`, `${prefix}/metrics-report`, "/metrics"]) {
      expect(blocked.test(path), path).toBe(false);
    }
  });

  it("names the video service as the guide does", () => {
    const video = upstreamRoutes.find((r) => r.name === "video");
    expect(video?.kong).toEqual({ service: "video-consultation-service", url: "http://video-service:8086" });
  });

  it("balances the video service over the compose file's instances, checked as the Node gateway checks them", () => {
    const video = upstreamRoutes.find((r) => r.name === "video");
    const upstream = kong.upstreams.find((u) => u.name === new URL(video?.kong.url ?? "").hostname);
    expect(upstream, "a Kong upstream named as the video service's host").toBeDefined();
    // Round robin, no stickiness (a hash would pin a client to one instance).
    expect(upstream?.algorithm).toBe("round-robin");
    expect(upstream?.hash_on ?? "none").toBe("none");
    // The same instances as the Node gateway's VIDEO_URL in the compose file, each a compose service.
    const targets = upstream?.targets.map((t) => t.target) ?? [];
    expect(targets.length).toBeGreaterThanOrEqual(2);
    const videoUrl = compose.services.gateway?.environment?.VIDEO_URL ?? "";
    expect(videoUrl.split(",").map((url) => new URL(url).host)).toEqual(targets);
    for (const target of targets) expect(Object.keys(compose.services)).toContain(target.split(":")[0]);
    // Same probe, interval and thresholds as the gateway's defaults.
    const defaults = loadGatewayConfig({});
    const { active, passive } = upstream?.healthchecks ?? ({} as KongUpstream["healthchecks"]);
    expect(active.http_path).toBe("/readyz");
    expect(active.healthy.interval * 1000).toBe(defaults.GATEWAY_HEALTH_INTERVAL_MS);
    expect(active.unhealthy.interval * 1000).toBe(defaults.GATEWAY_HEALTH_INTERVAL_MS);
    expect(active.unhealthy.http_failures).toBe(defaults.GATEWAY_HEALTH_FAILURES);
    expect(active.healthy.successes).toBe(1);
    // A refused connection: out at once, and the request tried once more elsewhere.
    expect(active.unhealthy.tcp_failures).toBe(1);
    expect(passive.unhealthy.tcp_failures).toBe(1);
    expect(passive.unhealthy.http_failures).toBe(0);
    expect(kong.services.find((s) => s.name === video?.kong.service)?.retries).toBe(1);
  });

  it("allows the same CORS origins as the gateway's default", () => {
    const cors = kong.plugins.find((p) => p.name === "cors");
    const gatewayDefault = loadGatewayConfig({}).CORS_ORIGINS.split(",");
    expect(cors?.config.origins).toEqual(gatewayDefault);
    expect(cors?.config.exposed_headers).toEqual(expect.arrayContaining(["x-request-id"]));
  });

  it("carries the request id in x-request-id, as the gateway and services do", () => {
    const correlation = kong.plugins.find((p) => p.name === "correlation-id");
    expect(correlation?.config).toMatchObject({ header_name: "x-request-id", echo_downstream: true });
  });
});

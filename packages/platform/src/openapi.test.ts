import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiContact, apiLicense, directServers, licensePath, localGatewayOrigin, serviceServers } from "./openapi.ts";
import { type App, createService } from "./server.ts";

describe("the OpenAPI document createService serves", () => {
  let app: App;
  beforeAll(async () => {
    app = await createService({
      name: "openapi-test",
      title: "Example service",
      logLevel: "silent",
      servers: serviceServers({ name: "example service", port: 8099, gatewayPrefix: "/example" }),
    });
    // A path that starts like the gateway prefix: it must be documented as routed, not cut.
    app.get("/example/things", { schema: { operationId: "listThings", summary: "Things" } }, async () => []);
    await app.ready();
  });
  afterAll(() => app.close());

  it("names the license, the contact and the servers, and keeps paths whole", async () => {
    const document = (await app.inject({ url: "/docs/json" })).json();
    expect(document.info).toMatchObject({ title: "Example service", license: apiLicense, contact: apiContact });
    expect(document.servers).toEqual([
      {
        url: "{gateway}/example",
        description: "The example service through the gateway, which strips the /example prefix",
        variables: { gateway: { default: localGatewayOrigin, description: expect.any(String) } },
      },
      {
        url: "http://{host}:{port}",
        description: "The example service directly, on its own port",
        variables: {
          host: { default: "localhost", description: expect.any(String) },
          port: { default: "8099", description: expect.any(String) },
        },
      },
    ]);
    expect(Object.keys(document.paths)).toContain("/example/things");
    expect(document.paths["/example/things"].get.operationId).toBe("listThings");
  });

  it("serves the repository's LICENSE where the document's license points, outside the document", async () => {
    const res = await app.inject({ url: licensePath });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.body).toBe(await readFile(new URL("../../../LICENSE", import.meta.url), "utf8"));
    expect(res.body).toContain("All rights reserved");
    const document = (await app.inject({ url: "/docs/json" })).json();
    expect(Object.keys(document.paths)).not.toContain(licensePath);
  });
});

describe("serviceServers", () => {
  it("puts a configured public URL in place of the local gateway, without its trailing slash", () => {
    const servers = serviceServers({
      name: "video service",
      port: 8086,
      gatewayPrefix: "/video",
      publicUrl: "https://clinic.example/video/",
    });
    expect(servers.map((s) => s.url)).toEqual(["https://clinic.example/video", "http://{host}:{port}"]);
    expect(servers[0]?.variables).toBeUndefined();
  });

  it("leaves the direct entry out for port 0 (chosen when listening)", () => {
    expect(directServers("gateway", 0)).toEqual([]);
    expect(serviceServers({ name: "auth service", port: 0, gatewayPrefix: "/auth" })).toHaveLength(1);
  });
});

import { Type } from "typebox";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, commonConfig, loadConfig, trustedProxies } from "./config.ts";
import { type App, createService } from "./server.ts";
import { captureLogs } from "./testing/index.ts";

const schema = Type.Object({ TRUST_PROXY: commonConfig.TRUST_PROXY });

function configError(env: Record<string, string>): ConfigError | undefined {
  try {
    loadConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  return undefined;
}

describe("TRUST_PROXY", () => {
  it("takes addresses and CIDRs, comma-separated", () => {
    expect(loadConfig(schema, { TRUST_PROXY: "127.0.0.1, 10.0.0.0/8,fd00::/8, ::1" }).TRUST_PROXY).toBeDefined();
    const proxies = trustedProxies("127.0.0.1, 10.0.0.0/8, fd00::/8");
    expect(proxies.list).toEqual(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);
    expect(proxies.trusts("10.1.2.3")).toBe(true);
    expect(proxies.trusts("::ffff:127.0.0.1")).toBe(true);
    expect(proxies.trusts("fd00::5")).toBe(true);
    expect(proxies.trusts("192.0.2.1")).toBe(false);
    expect(trustedProxies(undefined).trusts("127.0.0.1")).toBe(false);
  });

  it("refuses `true` (and anything not an address) at config load, naming TRUST_PROXY", () => {
    for (const value of ["true", "TRUE", "1", "*", "loopback", "10.0.0.1;rm"]) {
      const error = configError({ TRUST_PROXY: value });
      expect(error, value).toBeInstanceOf(ConfigError);
      expect(error?.problems).toEqual([expect.stringMatching(/^TRUST_PROXY: .*`true` is refused/)]);
    }
  });

  it("refuses an address of the right shape but out of range when the service is built", async () => {
    for (const value of ["300.1.1.1", "10.0.0.0/33", "fd00::/129"]) {
      expect(configError({ TRUST_PROXY: value }), value).toBeUndefined();
      expect(() => trustedProxies(value)).toThrow(ConfigError);
      await expect(createService({ name: "t", title: "t", logLevel: "silent", trustProxy: value })).rejects.toThrow(
        /TRUST_PROXY: entry 1 is not an IP address or CIDR/,
      );
    }
  });

  it("refuses a catch-all CIDR (0.0.0.0/0, ::/0): it is `true` under another name", () => {
    for (const value of ["0.0.0.0/0", "::/0", "127.0.0.1, 0.0.0.0/0"]) {
      expect(() => trustedProxies(value), value).toThrow(/TRUST_PROXY: entry \d \(.*\) trusts every address/);
    }
  });
});

describe("forwarded headers from an untrusted peer", () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const start = async (trustProxy?: string) => {
    const logs = captureLogs();
    app = await createService({
      name: "forwarding-test",
      title: "t",
      logStream: logs.stream,
      ...(trustProxy ? { trustProxy } : {}),
    });
    app.get("/ip", async (request) => ({ ip: request.ip }));
    await app.ready();
    const warnings = () =>
      logs.lines.map((l) => JSON.parse(l)).filter((e) => e.level === 40 && /TRUST_PROXY/.test(e.msg));
    return { app, warnings };
  };

  it("are ignored and warned about once per peer, not per request", async () => {
    const { app, warnings } = await start();
    for (let i = 0; i < 5; i++) {
      const reply = await app.inject({ url: "/ip", headers: { "x-forwarded-for": "203.0.113.9" } });
      expect(reply.json().ip).toBe("127.0.0.1");
    }
    await app.inject({ url: "/ip", headers: { forwarded: "for=203.0.113.9" } });
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ peer: "127.0.0.1", trustProxy: "unset" });
    // Another peer is another warning.
    await app.inject({ url: "/ip", headers: { "x-forwarded-for": "203.0.113.9" }, remoteAddress: "192.0.2.7" });
    expect(warnings().map((w) => w.peer)).toEqual(["127.0.0.1", "192.0.2.7"]);
    // No forwarded header, no warning.
    await app.inject({ url: "/ip", remoteAddress: "192.0.2.8" });
    expect(warnings()).toHaveLength(2);
  });

  it("are believed from a trusted proxy, without a warning", async () => {
    const { app, warnings } = await start("127.0.0.1");
    const reply = await app.inject({ url: "/ip", headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(reply.json().ip).toBe("203.0.113.9");
    expect(warnings()).toEqual([]);
    const untrusted = await app.inject({
      url: "/ip",
      headers: { "x-forwarded-for": "203.0.113.9" },
      remoteAddress: "192.0.2.7",
    });
    expect(untrusted.json().ip).toBe("192.0.2.7");
    expect(warnings()).toMatchObject([{ peer: "192.0.2.7", trustProxy: "127.0.0.1" }]);
  });
});

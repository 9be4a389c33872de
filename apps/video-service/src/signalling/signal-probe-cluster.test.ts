import { SIGNAL_PROBE_PATH, SignalCloseCodes } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type TestCluster, testCluster, twoInstances } from "../testing/signal-cluster.ts";
import { type Harness, users } from "../testing/video-test-harness.ts";

// CI sets REDIS_URL: the counts live in a real Redis (keys under this file's own prefix).
// Without it the instances are linked in-process, with the same semantics.
const redisUrl = process.env.REDIS_URL;

function probeCode(base: string, localAddress: string): Promise<number> {
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}${SIGNAL_PROBE_PATH}`, { localAddress });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("probe not closed in time")), 3000);
    ws.on("error", reject);
    ws.on("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe(`pre-call check limits across two instances (${redisUrl ? "Redis" : "in-process"})`, () => {
  let cluster: TestCluster;
  let a: Harness;
  let b: App;
  let baseA: string;
  let baseB: string;

  beforeAll(async () => {
    cluster = await testCluster(redisUrl);
    ({ a, b, baseA, baseB } = await twoInstances(cluster, { env: { SIGNAL_CONNECTS_PER_MINUTE: "2" } }));
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await cluster?.cleanup();
  });

  it("counts one user's connectivity checks for the cluster: the 31st is refused whichever instance takes it", async () => {
    const doctor = await a.auth(users.doctor);
    for (let i = 0; i < 30; i++) {
      const reply = await (i % 2 ? b : a.app).inject({ url: "/api/video/connectivity", headers: doctor });
      expect(reply.statusCode, reply.body).toBe(200);
    }
    for (const app of [a.app, b]) {
      const refused = await app.inject({ url: "/api/video/connectivity", headers: doctor });
      expect(refused.statusCode).toBe(429);
      expect(refused.json().code).toBe("TOO_MANY_CONNECTIVITY_CHECKS");
    }
  });

  it("counts one address's probes for the cluster", async () => {
    const address = "127.0.0.31";
    expect(await probeCode(baseA, address)).toBe(1000);
    expect(await probeCode(baseB, address)).toBe(1000);
    expect(await probeCode(baseA, address)).toBe(SignalCloseCodes.tryAgainLater);
    expect(await probeCode(baseB, address)).toBe(SignalCloseCodes.tryAgainLater);
  });
});

import { randomBytes } from "node:crypto";
import { deleteRedisKeys } from "@clinic/platform/testing";
import { exportJWK, generateKeyPair } from "jose";
import { createInProcessSignalCluster, type InProcessSignalCluster } from "../signalling/signal-fanout.ts";
import { closedWithin, connectSignal, type SignalClient, signalUrl } from "./signal-client.ts";
import { createHarness, createPeer } from "./video-test-harness.ts";

/**
 * What several instances of one test need to form a cluster: on Redis when `redisUrl` is
 * given (keys and channels under a prefix of this test only, deleted by `cleanup`), else
 * in-process. Either way one join-token key for all.
 */
export interface TestCluster {
  redis: boolean;
  /** The environment of instance `instanceId` (INSTANCE_ID, the shared key, REDIS_* when on Redis). */
  env(instanceId: string, redisUrl?: string): Record<string, string>;
  signalCluster?: InProcessSignalCluster;
  prefix: string;
  cleanup(): Promise<void>;
}

export async function testCluster(redisUrl: string | undefined): Promise<TestCluster> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = JSON.stringify(await exportJWK(privateKey));
  const prefix = `test-${randomBytes(5).toString("hex")}:`;
  const signalCluster = redisUrl ? undefined : createInProcessSignalCluster();
  return {
    redis: Boolean(redisUrl),
    prefix,
    env: (instanceId, url = redisUrl) => ({
      INSTANCE_ID: instanceId,
      JOIN_TOKEN_PRIVATE_JWK: jwk,
      ...(url ? { REDIS_URL: url, REDIS_KEY_PREFIX: prefix } : {}),
    }),
    ...(signalCluster ? { signalCluster } : {}),
    async cleanup() {
      // This test's keys only (never FLUSHALL: other test files share the server).
      if (redisUrl) await deleteRedisKeys(redisUrl, prefix);
    },
  };
}

export interface TwoInstancesOptions {
  env?: Record<string, string>;
  /** How each instance reaches Redis (e.g. through its own TCP proxy); default the cluster's URL. */
  urls?: { a?: string; b?: string };
  /** In-process link other than the cluster's (e.g. one whose calls the test holds back). */
  signalCluster?: InProcessSignalCluster;
}

/** Two instances of one service: A (a harness's app) and B (its peer), on one database, linked. */
export async function twoInstances(cluster: TestCluster, options: TwoInstancesOptions = {}) {
  const signalCluster = options.signalCluster ?? cluster.signalCluster;
  const linked = signalCluster ? { signalCluster } : {};
  const env = options.env ?? {};
  const a = await createHarness({ env: { ...cluster.env("video-a", options.urls?.a), ...env }, ...linked });
  const b = await createPeer(a, { env: { ...cluster.env("video-b", options.urls?.b), ...env }, ...linked });
  const baseA = await a.listen();
  const baseB = await b.listen({ port: 0, host: "127.0.0.1" });
  return { a, b, baseA, baseB };
}

/** Signalling clients of a test, all closed by `closeAll` (after each test). */
export function signalClients() {
  const open: SignalClient[] = [];
  return {
    connect(base: string, sessionId: string, token: string, localAddress?: string) {
      const client = connectSignal(signalUrl(base, sessionId, token), localAddress ? { localAddress } : {});
      open.push(client);
      return client;
    },
    async closeAll() {
      for (const c of open.splice(0)) {
        c.close();
        await closedWithin(c).catch(() => undefined);
      }
    },
  };
}

import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import { createInProcessSignalCluster, type InProcessSignalCluster } from "../signalling/signal-fanout.ts";

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
      if (!redisUrl) return;
      // This test's keys only (never FLUSHALL: other test files share the server).
      const { connectRedis, redisReady } = await import("@clinic/platform/redis");
      const quiet = { info: () => undefined, warn: () => undefined };
      const redis = connectRedis(redisUrl, { logger: quiet, name: "test-cleanup" });
      try {
        await redisReady(redis);
        let cursor = "0";
        for (let i = 0; i < 1000; i++) {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
          if (cursor === "0") break;
        }
      } finally {
        redis.disconnect();
      }
    },
  };
}

import { createHash } from "node:crypto";
import { connectRedis, type Redis, redisReady } from "@clinic/platform/redis";
import type { FastifyBaseLogger } from "fastify";
import type { Take } from "./connect-limiter.ts";
import {
  type ConnectCounter,
  type FanoutEnvelope,
  type FanoutMessage,
  NODE_TTL_MS,
  newNodeId,
  PRESENCE_TTL_MS,
  type PresenceEntry,
  type SignalFanout,
} from "./signal-fanout.ts";

/**
 * The signalling fan-out over Redis (REDIS_URL). Loaded only when REDIS_URL is set (dynamic
 * import in app.ts), so the embedded default never loads ioredis.
 *
 * Keys and channels, all under REDIS_KEY_PREFIX (`P`):
 * - `P signal:session:<session_id>` (pub/sub channel): a session's messages between instances;
 *   an instance is subscribed while it holds a connection of that session.
 * - `P signal:presence:<session_id>` (hash): attendee id → {node, conn, interval, attendee};
 *   expires PRESENCE_TTL_MS after its holders stop refreshing it.
 * - `P signal:node:<node>` (string, TTL NODE_TTL_MS): the node is alive; presence entries of
 *   a node without it are ignored (the process died without cleaning up).
 * - `P signal:connects:<address|attendee>:<SHA-256 of the key>` (hash, TTL 60 s): a connect-limit
 *   token bucket; hashed, so Redis holds no client address in clear.
 *
 * No key or channel name holds a name, an email or an address. The values do, briefly: a
 * presence entry carries the attendee's name (for `welcome`) while connected, and messages
 * (not stored by pub/sub) carry names and relayed SDP, which lists client addresses.
 *
 * Two connections: one for commands and publishing, one subscriber. Both refuse commands
 * while down (no offline queue) and reconnect by themselves; after an outage the channels
 * are subscribed again and the hub is told to catch up (onRestored).
 */
export interface RedisFanoutOptions {
  url: string;
  prefix: string;
  instanceId: string;
  log: FastifyBaseLogger;
  /** How long the start waits for Redis before going on without it (it keeps reconnecting). */
  readyTimeoutMs?: number;
}

// Removes the attendee's presence only if it is still the given connection's (a newer one may have replaced it).
const withdrawScript = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and cjson.decode(v).conn == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`;

// The in-memory ConnectLimiter's token bucket (connect-limiter.ts) kept in Redis: ARGV = per minute, now (ms).
// Returns {allowed, first refusal}. A bucket untouched for a minute is full again, so it expires then.
const takeScript = `
local cap = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 't', 'at', 'r')
local tokens = cap
if b[1] then
  tokens = math.min(cap, tonumber(b[1]) + math.max(0, now - tonumber(b[2])) * cap / 60000)
end
local allowed = 0
local first = 0
if tokens >= 1 then
  allowed = 1
  tokens = tokens - 1
elseif b[3] ~= '1' then
  first = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(now), 'r', tostring(1 - allowed))
redis.call('PEXPIRE', KEYS[1], 60000)
return {allowed, first}`;

type Scripted = Redis & {
  signalWithdraw(key: string, attendeeId: string, conn: string): Promise<number>;
  signalTake(key: string, perMinute: number, now: number): Promise<[number, number]>;
};

export async function createRedisFanout(options: RedisFanoutOptions): Promise<SignalFanout> {
  const { prefix, log } = options;
  const node = newNodeId(options.instanceId);
  const channel = (sessionId: string) => `${prefix}signal:session:${sessionId}`;
  const presenceKey = (sessionId: string) => `${prefix}signal:presence:${sessionId}`;
  const nodeKey = (n: string) => `${prefix}signal:node:${n}`;
  const channelPrefix = `${prefix}signal:session:`;

  const cmd = connectRedis(options.url, { logger: log, name: `${options.instanceId}-signal` }) as Scripted;
  const sub = connectRedis(options.url, { logger: log, name: `${options.instanceId}-signal-sub` });
  cmd.defineCommand("signalWithdraw", { numberOfKeys: 1, lua: withdrawScript });
  cmd.defineCommand("signalTake", { numberOfKeys: 1, lua: takeScript });

  const handlers: ((sessionId: string, message: FanoutMessage) => void)[] = [];
  const restoredHandlers: (() => void)[] = [];
  /** The channels this node wants; after an outage they are subscribed again, and only they. */
  const wanted = new Set<string>();
  /** Channels whose unsubscribe failed (Redis down): unsubscribed once it is back. */
  const stray = new Set<string>();
  let closed = false;

  sub.on("message", (ch: string, data: string) => {
    if (!ch.startsWith(channelPrefix)) return;
    let envelope: FanoutEnvelope;
    try {
      envelope = JSON.parse(data) as FanoutEnvelope;
    } catch {
      return;
    }
    if (envelope.origin === node) return;
    const { origin: _origin, session, ...message } = envelope;
    for (const handler of handlers) handler(session, message as FanoutMessage);
  });

  // Down when either connection is; restored once both are ready and the channels are back.
  let down = false;
  let restoring: Promise<void> | undefined;
  const onDown = () => {
    if (!closed) down = true;
  };
  cmd.on("close", onDown);
  sub.on("close", onDown);
  const onReady = () => {
    if (!down || closed || cmd.status !== "ready" || sub.status !== "ready" || restoring) return;
    restoring = (async () => {
      try {
        // ioredis subscribes its channels again by itself, possibly before this runs: subscribing
        // the wanted ones here makes sure they are before the hub catches up. Channels whose
        // unsubscribe failed during the outage were subscribed again too: dropped now.
        if (wanted.size > 0) await sub.subscribe(...wanted);
        const unwanted = [...stray].filter((c) => !wanted.has(c));
        if (unwanted.length > 0) await sub.unsubscribe(...unwanted);
        stray.clear();
        await refreshNode();
        down = false;
        log.info({ channels: wanted.size }, "signalling fan-out restored");
        for (const handler of restoredHandlers) handler();
      } catch (err) {
        log.warn({ err }, "signalling fan-out not restored yet");
      } finally {
        restoring = undefined;
      }
    })();
  };
  cmd.on("ready", onReady);
  sub.on("ready", onReady);

  const refreshNode = () => cmd.set(nodeKey(node), options.instanceId, "PX", NODE_TTL_MS);

  const timeout = options.readyTimeoutMs ?? 5000;
  try {
    await Promise.all([redisReady(cmd, timeout), redisReady(sub, timeout)]);
    await refreshNode();
  } catch {
    // Started anyway: signalling answers "unavailable" until Redis is reachable.
    down = true;
    log.warn("redis not reachable at start; signalling connects are refused until it is");
  }

  const fanout: SignalFanout = {
    node,
    get up() {
      return !down && !closed && cmd.status === "ready" && sub.status === "ready";
    },
    onMessage(handler) {
      handlers.push(handler);
    },
    onRestored(handler) {
      restoredHandlers.push(handler);
    },
    async subscribe(sessionId) {
      wanted.add(channel(sessionId));
      await sub.subscribe(channel(sessionId));
    },
    async unsubscribe(sessionId) {
      const ch = channel(sessionId);
      wanted.delete(ch);
      await sub.unsubscribe(ch).catch((err: Error) => {
        stray.add(ch);
        throw err;
      });
    },
    async publish(sessionId, message) {
      const envelope: FanoutEnvelope = { ...message, origin: node, session: sessionId };
      await cmd.publish(channel(sessionId), JSON.stringify(envelope)).catch(withoutArguments);
    },
    async announce(sessionId, entry) {
      const key = presenceKey(sessionId);
      await cmd
        .multi()
        .hset(key, entry.attendee.attendee_id, JSON.stringify(entry))
        .pexpire(key, PRESENCE_TTL_MS)
        .exec()
        .then(checkExec)
        .catch(withoutArguments);
    },
    async withdraw(sessionId, attendeeId, conn) {
      await cmd.signalWithdraw(presenceKey(sessionId), attendeeId, conn);
    },
    async presence(sessionId, { keepDead = false } = {}) {
      const raw = await cmd.hgetall(presenceKey(sessionId));
      const entries: PresenceEntry[] = [];
      for (const value of Object.values(raw)) {
        try {
          entries.push(JSON.parse(value) as PresenceEntry);
        } catch {
          // not ours: ignored
        }
      }
      if (keepDead) return entries;
      const live = await fanout.liveNodes([...new Set(entries.map((e) => e.node))]);
      const dead = entries.filter((e) => !live.has(e.node));
      // Left behind by a node that died: dropped now, so they are not read again.
      for (const e of dead) void fanout.withdraw(sessionId, e.attendee.attendee_id, e.conn).catch(() => undefined);
      return entries.filter((e) => live.has(e.node));
    },
    async liveNodes(nodes) {
      if (nodes.length === 0) return new Set();
      const values = await cmd.mget(...nodes.map(nodeKey));
      return new Set(nodes.filter((_, i) => values[i] !== null));
    },
    async refresh(sessionIds) {
      const pipeline = cmd.multi().set(nodeKey(node), options.instanceId, "PX", NODE_TTL_MS);
      for (const id of sessionIds) pipeline.pexpire(presenceKey(id), PRESENCE_TTL_MS);
      await pipeline.exec().then(checkExec);
    },
    connectLimiter(kind, perMinute, now): ConnectCounter {
      return {
        async take(key): Promise<Take> {
          // Hashed: the address key is a client's IP address (or /64).
          const hashed = createHash("sha256").update(key).digest("base64url");
          const [allowed, first] = await cmd.signalTake(`${prefix}signal:connects:${kind}:${hashed}`, perMinute, now());
          return { allowed: allowed === 1, firstRefusal: first === 1 };
        },
      };
    },
    async close() {
      closed = true;
      await cmd.del(nodeKey(node)).catch(() => undefined);
      // quit() waits for Redis's answer; while Redis is unreachable, just drop the connections.
      for (const redis of [sub, cmd]) {
        if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
        else redis.disconnect();
      }
    },
  };
  return fanout;
}

/**
 * Rethrows a command's error without the command (ioredis attaches its arguments, e.g. to the
 * errors of commands aborted by a lost connection): they hold names and SDP, and errors get logged.
 */
function withoutArguments(err: Error & { command?: unknown }): never {
  delete err.command;
  throw err;
}

/** A MULTI's replies: the first error among them is thrown. */
function checkExec(results: [Error | null, unknown][] | null): void {
  if (!results) throw new Error("redis transaction discarded");
  for (const [err] of results) if (err) throw err;
}

import { generateKeyPairSync } from "node:crypto";
import { cpus } from "node:os";
import { ChildServer } from "../lib/child-process.ts";
import { type BenchContext, type Scenario, SkipScenario } from "../lib/context.ts";
import { cpuCores, cpuSnapshot } from "../lib/cpu.ts";
import { assertHealthyLoad, type LoadResult, measureHttp } from "../lib/http-load.ts";
import { partExists, serverEntry } from "../lib/paths.ts";
import { scratchSchema } from "../lib/pg-scratch.ts";
import { RedisScratch } from "../lib/redis-scratch.ts";
import { type MeetingPair, runSignallingLoad, type SignallingLoadResult } from "../lib/signalling-load.ts";
import { ratio, round, type Summary } from "../lib/stats.ts";
import type { ClusterMember, VideoServerInfo } from "../servers/video-server-info.ts";
import { type BenchMeeting, openMeetings } from "./meetings.ts";

const sessions = 10_000;
const listPath = "/video/api/video/sessions?limit=20&offset=0";
/** Far above what the bench opens; every bench socket comes from 127.0.0.1. */
const wsPerAddress = 10_000;

type FirstInfo = VideoServerInfo & { appointmentsPort: number; jwks: unknown; instanceId: string };

/** A deployment measured: a gateway in front of one instance, or of both. */
interface Setup {
  label: "one" | "two";
  gateway: ChildServer;
  instances: { id: string; server: ChildServer }[];
}

interface ListRun extends LoadResult {
  /** Requests each instance answered during the warm-up and the measured window (its /metrics). */
  served_by: Record<string, number>;
  /** Instances the gateway took out of rotation at some point (its /health), if any. */
  out_of_rotation: string[];
  /**
   * Cores each process kept busy over the warm-up and the measured window (1 = a whole core):
   * the instances, this gateway, the bench (autocannon), `other` (PostgreSQL, Redis, anything
   * else on the machine) and `machine` (all of it).
   */
  cpu_cores: Record<string, number>;
}

interface SignallingRun {
  /** Every relayed message (offers, answers, ICE), send → receipt, ms. */
  p50: number;
  p99: number;
  mean: number;
  count: number;
  offer: Summary;
  answer: Summary;
  ice: Summary;
  lost_exchanges: number;
  messages_per_sec: number;
  /** Where each meeting's two sockets were, read from the cluster's presence in Redis. */
  meetings_cross_instance: number;
  meetings_same_instance: number;
  sockets_by_instance: Record<string, number>;
}

/** `GET /api/video/sessions` answers (any status) each instance has counted in its /metrics. */
async function listRequestsServed(setup: Setup): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { id, server } of setup.instances) {
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    counts[id] = text
      .split("\n")
      .filter(
        (line) =>
          line.startsWith("http_request_duration_seconds_count{") &&
          line.includes('route="/api/video/sessions"') &&
          line.includes('method="GET"'),
      )
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
  }
  return counts;
}

/** Instances of the balanced route the gateway has ever taken out of rotation (`since` is set on a change). */
async function rotationChanges(setup: Setup): Promise<string[]> {
  const body = (await (await fetch(`http://127.0.0.1:${setup.gateway.port}/health`)).json()) as {
    upstreams?: { video?: { instances?: { index: number; instance?: string; status: string; since?: string }[] } };
  };
  return (body.upstreams?.video?.instances ?? [])
    .filter((i) => i.since || i.status !== "UP")
    .map((i) => i.instance ?? `#${i.index}`);
}

async function measureList(ctx: BenchContext, setup: Setup, headers: Record<string, string>): Promise<ListRun> {
  const before = await listRequestsServed(setup);
  const pids = {
    ...Object.fromEntries(setup.instances.map((i) => [i.id, i.server.pid])),
    gateway: setup.gateway.pid,
    bench: process.pid,
  };
  const cpuBefore = cpuSnapshot(pids);
  const load = await measureHttp({
    url: `http://127.0.0.1:${setup.gateway.port}${listPath}`,
    headers,
    durationSec: ctx.options.durationSec,
    connections: ctx.options.connections,
  });
  const cpu_cores = cpuCores(cpuBefore, cpuSnapshot(pids));
  assertHealthyLoad(load);
  const after = await listRequestsServed(setup);
  const served_by = Object.fromEntries(Object.entries(after).map(([id, n]) => [id, n - (before[id] ?? 0)]));
  const out = setup.instances.length > 1 ? await rotationChanges(setup) : [];
  return { ...load, served_by, out_of_rotation: out, cpu_cores };
}

const signalUrl = (gatewayPort: number, sessionId: string, token: string) =>
  `ws://127.0.0.1:${gatewayPort}/video/api/video/sessions/${sessionId}/signal?token=${encodeURIComponent(token)}`;

/**
 * Meetings started and joined through the gateway, both sockets of each through it too,
 * opened one at a time (so the gateway's round robin alternates instances: the doctor on one,
 * the patient on the other), then offer → answer → 4 ICE exchanges. Before any exchange,
 * the cluster's presence in Redis says where each socket is; a run whose placement is not
 * the one asked for is refused rather than reported.
 */
async function measureSignalling(
  setup: Setup,
  first: ChildServer,
  redis: RedisScratch,
  load: { meetings: number; rounds: number; roundMs: number },
): Promise<SignallingRun> {
  const { meetings } = await openMeetings(first, load.meetings, `http://127.0.0.1:${setup.gateway.port}/video`);
  const pairs: MeetingPair[] = meetings.map((m) => ({
    a: { attendeeId: m.doctor.attendeeId, url: signalUrl(setup.gateway.port, m.sessionId, m.doctor.joinToken) },
    b: { attendeeId: m.patient.attendeeId, url: signalUrl(setup.gateway.port, m.sessionId, m.patient.joinToken) },
  }));
  let placement = { cross: 0, same: 0, byInstance: {} as Record<string, number> };
  const result: SignallingLoadResult = await runSignallingLoad(pairs, {
    rounds: load.rounds,
    roundMs: load.roundMs,
    iceCandidates: 4,
    connectConcurrency: 1,
    waitForPeers: true,
    onAllConnected: async () => {
      placement = await placementOf(redis, meetings);
      const expected = setup.label === "two" ? placement.cross : placement.same;
      if (expected !== meetings.length) {
        throw new Error(
          `${setup.label} instance(s): ${placement.cross} meetings across instances, ${placement.same} on one, ` +
            `of ${meetings.length}; expected every one ${setup.label === "two" ? "across" : "on one"}`,
        );
      }
    },
  });
  return {
    p50: round(result.all.p50, 3),
    p99: round(result.all.p99, 3),
    mean: round(result.all.mean, 3),
    count: result.all.count,
    offer: result.offer,
    answer: result.answer,
    ice: result.ice,
    lost_exchanges: result.lost_exchanges,
    messages_per_sec: result.messages_per_sec,
    meetings_cross_instance: placement.cross,
    meetings_same_instance: placement.same,
    sockets_by_instance: placement.byInstance,
  };
}

async function placementOf(redis: RedisScratch, meetings: BenchMeeting[]) {
  const placement = { cross: 0, same: 0, byInstance: {} as Record<string, number> };
  for (const m of meetings) {
    const where = await redis.placement(m.sessionId);
    const doctor = where.get(m.doctor.attendeeId);
    const patient = where.get(m.patient.attendeeId);
    if (!doctor || !patient) throw new Error(`meeting ${m.sessionId}: a socket is missing from the cluster's presence`);
    for (const id of [doctor, patient]) placement.byInstance[id] = (placement.byInstance[id] ?? 0) + 1;
    if (doctor === patient) placement.same++;
    else placement.cross++;
  }
  return placement;
}

const listRow = (name: string, r: ListRun) => [
  name,
  r.requests_per_sec,
  r.p50_ms,
  r.p99_ms,
  r.mean_ms,
  Object.entries(r.served_by)
    .map(([id, n]) => `${id} ${n}`)
    .join(", "),
  Object.entries(r.cpu_cores)
    .map(([name, cores]) => `${name} ${cores}`)
    .join(", "),
];

const signalRow = (name: string, r: SignallingRun) => [
  name,
  round(r.p50, 2),
  round(r.p99, 2),
  round(r.offer.p50, 2),
  round(r.offer.p99, 2),
  round(r.answer.p50, 2),
  round(r.answer.p99, 2),
  round(r.ice.p50, 2),
  round(r.ice.p99, 2),
  r.messages_per_sec,
  r.lost_exchanges,
  `${r.meetings_cross_instance} across, ${r.meetings_same_instance} on one`,
];

const signalRatioRow = (name: string, one: SignallingRun, two: SignallingRun) => [
  name,
  ratio(two.p50, one.p50),
  ratio(two.p99, one.p99),
  ratio(two.offer.p50, one.offer.p50),
  ratio(two.offer.p99, one.offer.p99),
  ratio(two.answer.p50, one.answer.p50),
  ratio(two.answer.p99, one.answer.p99),
  ratio(two.ice.p50, one.ice.p50),
  ratio(two.ice.p99, one.ice.p99),
  null,
  null,
  null,
];

/**
 * 9. Two video-service instances behind the gateway vs one, same run: throughput of
 * `GET /sessions` through the gateway, and signalling latency with the doctor and the patient
 * on different instances (relayed through Redis) vs both on the one instance.
 */
export const clusterScenario: Scenario = {
  name: "cluster",
  title: "9. Cluster: two video-service instances behind the gateway vs one (GET /sessions, signalling)",
  async run(ctx: BenchContext) {
    const { databaseUrl, redisUrl, quick } = ctx.options;
    const missing = [databaseUrl ? "" : "DATABASE_URL", redisUrl ? "" : "REDIS_URL"].filter(Boolean);
    if (!databaseUrl || !redisUrl) {
      throw new SkipScenario(
        `${missing.join(" and ")} not set: the instances are separate processes, which share one PostgreSQL ` +
          "schema (PGlite cannot be shared between processes) and link their signalling through Redis",
      );
    }
    for (const part of [
      "apps/video-service/src/signalling/redis-fanout.ts",
      "apps/gateway/src/proxy/upstream-pool.ts",
    ]) {
      if (!partExists(part)) throw new SkipScenario(`${part} is missing: no replicas in this checkout`);
    }
    const sequential = { meetings: 1, rounds: quick ? 30 : 100, roundMs: 120 };
    const concurrent = { meetings: quick ? 20 : 100, rounds: quick ? 2 : 4, roundMs: 2000 };

    const scratch = scratchSchema(databaseUrl, "cluster");
    const redis = new RedisScratch(redisUrl, "cluster");
    // One join-token key for every instance: each verifies the tokens the others sign.
    const joinTokenJwk = JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }));
    const member = (instanceId: string): ClusterMember => ({
      instanceId,
      redisUrl,
      redisKeyPrefix: redis.prefix,
      joinTokenJwk,
    });
    const children: ChildServer[] = [];
    const start = async (entry: string, params: Record<string, unknown>) => {
      const child = await ChildServer.start(serverEntry(entry), params);
      children.push(child);
      return child;
    };
    try {
      // Both on REDIS_URL, as replicas are; the one-instance figures use the first alone.
      const first = await start("video", {
        databaseUrl,
        schema: scratch.schema,
        seedSessions: sessions,
        cluster: member("video-1"),
      });
      const info = first.info as unknown as FirstInfo;
      const second = await start("video", {
        databaseUrl,
        schema: scratch.schema,
        cluster: member("video-2"),
        replicaOf: { appointmentsUrl: `http://127.0.0.1:${info.appointmentsPort}`, jwks: info.jwks },
      });
      const urls = [first, second].map((s) => `http://127.0.0.1:${s.port}`);
      const one: Setup = {
        label: "one",
        gateway: await start("gateway", { videoUrl: urls[0], wsMaxPerAddress: wsPerAddress }),
        instances: [{ id: "video-1", server: first }],
      };
      const two: Setup = {
        label: "two",
        gateway: await start("gateway", { videoUrl: urls.join(","), wsMaxPerAddress: wsPerAddress }),
        instances: [
          { id: "video-1", server: first },
          { id: "video-2", server: second },
        ],
      };

      // Both instances answer through the balanced gateway, and see the same seeded sessions.
      const headers = { authorization: `Bearer ${info.doctorToken}` };
      const servedBy = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`http://127.0.0.1:${two.gateway.port}${listPath}`, { headers });
        const page = (await response.json()) as { total: number; sessions: unknown[] };
        if (response.status !== 200 || page.total !== sessions || page.sessions.length !== 20) {
          throw new Error(`expected 20 of ${sessions} sessions, got ${response.status} ${JSON.stringify(page)}`);
        }
        servedBy.add(response.headers.get("x-served-by") ?? "?");
      }
      if (servedBy.size !== 2) throw new Error(`the gateway reached ${[...servedBy].join(", ")} only`);

      const listOne = await measureList(ctx, one, headers);
      const listTwo = await measureList(ctx, two, headers);
      const seqOne = await measureSignalling(one, first, redis, sequential);
      const seqTwo = await measureSignalling(two, first, redis, sequential);
      const conOne = await measureSignalling(one, first, redis, concurrent);
      const conTwo = await measureSignalling(two, first, redis, concurrent);

      const { connections, durationSec } = ctx.options;
      ctx.table(
        `GET /video/api/video/sessions?limit=20 through the gateway (${sessions} sessions, PostgreSQL), ${connections} connections, ${durationSec} s each`,
        [
          "instances",
          "req/s",
          "p50 ms",
          "p99 ms",
          "mean ms",
          "requests answered by (incl. warm-up)",
          `cores busy (of ${cpus().length})`,
        ],
        [
          listRow("1 (video-1)", listOne),
          listRow("2 (round robin)", listTwo),
          [
            "ratio 2 ÷ 1",
            ratio(listTwo.requests_per_sec, listOne.requests_per_sec),
            ratio(listTwo.p50_ms, listOne.p50_ms),
            ratio(listTwo.p99_ms, listOne.p99_ms),
            ratio(listTwo.mean_ms, listOne.mean_ms),
            null,
            null,
          ],
        ],
      );
      ctx.table(
        "Signalling through the gateway, ms send → receipt (all = offers, answers and ICE together)",
        [
          "run",
          "all p50",
          "all p99",
          "offer p50",
          "offer p99",
          "answer p50",
          "answer p99",
          "ICE p50",
          "ICE p99",
          "msg/s",
          "lost",
          "placement (Redis presence)",
        ],
        [
          signalRow(`1 meeting, ${sequential.rounds} exchanges one at a time: 1 instance`, seqOne),
          signalRow("  … 2 instances, doctor and patient on different ones", seqTwo),
          signalRatioRow("  ratio 2 ÷ 1", seqOne, seqTwo),
          signalRow(`${concurrent.meetings} meetings, ${concurrent.rounds} rounds over 2 s each: 1 instance`, conOne),
          signalRow("  … 2 instances, doctor and patient on different ones", conTwo),
          signalRatioRow("  ratio 2 ÷ 1", conOne, conTwo),
        ],
      );
      for (const [name, run] of [
        ["1 instance", listOne],
        ["2 instances", listTwo],
      ] as const) {
        if (run.out_of_rotation.length) {
          ctx.note(`${name}: the gateway took ${run.out_of_rotation.join(", ")} out of rotation during the run`);
        }
      }
      ctx.note(
        "placement checked in Redis (the cluster's presence record of each socket), not through x-served-by: " +
          "sockets go through the gateway one at a time, so round robin puts a meeting's two on different instances",
      );

      const pairOf = (a: SignallingRun, b: SignallingRun, shape: typeof sequential) => ({
        meetings: shape.meetings,
        exchanges_per_meeting: shape.rounds,
        one: a,
        two_cross_instance: b,
        p50_ratio: ratio(b.p50, a.p50),
        p99_ratio: ratio(b.p99, a.p99),
        // What the hop through Redis and the other instance adds, in ms.
        added_p50_ms: round(b.p50 - a.p50, 3),
        added_p99_ms: round(b.p99 - a.p99, 3),
      });
      return {
        sessions,
        database: info.database,
        instances: { one: ["video-1"], two: ["video-1", "video-2"] },
        list_sessions: {
          connections,
          duration_sec: durationSec,
          one: listOne,
          two: listTwo,
          throughput_ratio: ratio(listTwo.requests_per_sec, listOne.requests_per_sec),
          p50_ratio: ratio(listTwo.p50_ms, listOne.p50_ms),
          p99_ratio: ratio(listTwo.p99_ms, listOne.p99_ms),
        },
        signalling: {
          placement_checked_by: "redis presence",
          sequential: pairOf(seqOne, seqTwo, sequential),
          concurrent: pairOf(conOne, conTwo, concurrent),
        },
      };
    } finally {
      // Front to back; then what they left in Redis and PostgreSQL.
      for (const child of children.reverse()) await child.stop().catch(() => undefined);
      const deleted = await redis.cleanup().catch((err: Error) => {
        ctx.note(`Redis keys under ${redis.prefix} not deleted: ${err.message}`);
        return 0;
      });
      if (deleted > 0) ctx.note(`${deleted} Redis keys of this run deleted (prefix ${redis.prefix})`);
      await scratch.drop();
    }
  },
};

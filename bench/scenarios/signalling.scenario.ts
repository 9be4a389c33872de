import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { ChildServer } from "../lib/child-process.ts";
import { type BenchContext, type Scenario, SkipScenario } from "../lib/context.ts";
import { baselineEntry, partExists, serverEntry } from "../lib/paths.ts";
import { scratchSchema } from "../lib/pg-scratch.ts";
import { type MeetingPair, runSignallingLoad, type SignallingLoadResult } from "../lib/signalling-load.ts";
import { mib, ratio, round } from "../lib/stats.ts";
import type { VideoServerInfo } from "../servers/video-server-info.ts";
import { openMeetings } from "./meetings.ts";

interface Measured {
  load: SignallingLoadResult;
  rss_before: number;
  rss_connected: number;
  bytes_per_connection: number;
  heap_bytes_per_connection: number;
  /** The service's event-loop delay during the exchanges (its child only; see watchLoopStart). */
  loop_delay?: {
    p50_ms: number;
    p99_ms: number;
    p999_ms: number;
    max_ms: number;
    /** GC pauses in the phase by kind (video.server.ts loopWatchCalls). */
    gc?: Record<string, { count: number; total_ms: number; max_ms: number }>;
  } | null;
  /** The service's database ("pglite" / "postgres"). */
  database?: string;
  meetings_setup_seconds?: number;
}

/**
 * Memory once the allocator has settled: GC, a pause (freed pages go back to the OS lazily,
 * and the start/join burst before leaves plenty), GC again. Same for both servers.
 */
async function settledMemory(server: ChildServer) {
  await server.memoryAfterGc();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  return server.memoryAfterGc();
}

async function measure(
  server: ChildServer,
  pairs: MeetingPair[],
  quick: boolean,
  watch?: { profile?: string },
  /** Run once every socket is open and the memory read, right before the exchanges. */
  beforeExchanges?: () => Promise<void>,
): Promise<Measured> {
  const before = await settledMemory(server);
  let connected = before;
  let loopDelay: Measured["loop_delay"];
  const load = await runSignallingLoad(pairs, {
    rounds: quick ? 1 : 4,
    roundMs: 2000,
    iceCandidates: 4,
    connectConcurrency: 50,
    onAllConnected: async () => {
      connected = await settledMemory(server);
      await beforeExchanges?.();
      if (watch) await server.call("watchLoopStart", watch);
    },
    onExchangesDone: async () => {
      if (watch) loopDelay = (await server.call("watchLoopStop")) as Measured["loop_delay"];
    },
  });
  const sockets = pairs.length * 2;
  return {
    load,
    rss_before: before.rss,
    rss_connected: connected.rss,
    bytes_per_connection: Math.round((connected.rss - before.rss) / sockets),
    heap_bytes_per_connection: Math.round((connected.heapUsed - before.heapUsed) / sockets),
    ...(loopDelay !== undefined ? { loop_delay: loopDelay } : {}),
  };
}

const databaseName = (kind: string | undefined) => (kind === "postgres" ? "PostgreSQL" : "PGlite");

const row = (name: string, m: Measured) => [
  name,
  m.load.sockets,
  round(m.load.offer.p50, 2),
  round(m.load.offer.p99, 2),
  round(m.load.answer.p50, 2),
  round(m.load.answer.p99, 2),
  round(m.load.ice.p50, 2),
  round(m.load.ice.p99, 2),
  m.load.messages_per_sec,
  round(m.bytes_per_connection / 1024, 1),
  round(m.heap_bytes_per_connection / 1024, 1),
  m.load.lost_exchanges,
];

/**
 * 5. 1,000 WebSocket attendees in 500 meetings held open; relay latency of offer / answer /
 * ICE and memory per connection, against a bare `ws` relay doing the same forwarding.
 */
export const signallingScenario: Scenario = {
  name: "signalling",
  title: "5. Signalling: 1,000 WebSocket attendees in 500 meetings vs a bare ws relay",
  async run(ctx: BenchContext) {
    const meetings = ctx.options.quick ? 100 : 500;
    const measureRelay = async (): Promise<Measured> => {
      const relay = await ChildServer.start(baselineEntry("ws-relay"));
      const relayPairs: MeetingPair[] = Array.from({ length: meetings }, (_, i) => ({
        a: { attendeeId: `m${i}-a`, url: `ws://127.0.0.1:${relay.port}/relay/m${i}?attendee=m${i}-a` },
        b: { attendeeId: `m${i}-b`, url: `ws://127.0.0.1:${relay.port}/relay/m${i}?attendee=m${i}-b` },
      }));
      return measure(relay, relayPairs, ctx.options.quick).finally(() => relay.stop());
    };
    const header = [
      "server",
      "sockets",
      "offer p50",
      "offer p99",
      "answer p50",
      "answer p99",
      "ICE p50",
      "ICE p99",
      "msg/s",
      "RSS KiB/conn",
      "heap KiB/conn",
      "lost",
    ];
    if (!partExists("apps/video-service/src/index.ts")) {
      const reference = await measureRelay();
      ctx.table("bare ws relay (reference only; latencies in ms)", header, [row("bare ws relay", reference)]);
      throw new SkipScenario("video service not in this checkout; only the reference was measured");
    }

    // `BENCH_CPU_PROF=<dir>`: a CPU profile of each video child during the exchanges only.
    const profileDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    // Each service's reference is the bare relay measured right before that service's exchanges
    // (its own sockets open and settled, waiting): the two exchange phases are seconds apart, so
    // both meet the same machine. A reference taken minutes earlier (before the other database's
    // run and this one's setup) was itself ×1–5 apart between runs on the same quiet machine
    // (bench/README.md, Finding 18), which made the ratio mostly the reference's luck.
    const measureService = async (
      params: Record<string, unknown>,
      label: string,
    ): Promise<{ measured: Measured; reference: Measured }> => {
      const video = await ChildServer.start(serverEntry("video"), params);
      try {
        const setup = await openMeetings(video, meetings);
        const pairs: MeetingPair[] = setup.meetings.map((m) => ({
          a: { attendeeId: m.doctor.attendeeId, url: signalUrl(video.port, m.sessionId, m.doctor.joinToken) },
          b: { attendeeId: m.patient.attendeeId, url: signalUrl(video.port, m.sessionId, m.patient.joinToken) },
        }));
        const profile = profileDir ? join(profileDir, `signalling-${label}-${Date.now()}.cpuprofile`) : undefined;
        let reference: Measured | undefined;
        const measured = await measure(video, pairs, ctx.options.quick, profile ? { profile } : {}, async () => {
          reference = await measureRelay();
        });
        if (!reference) throw new Error("the relay was not measured");
        const database = (video.info as unknown as VideoServerInfo).database;
        return { measured: { ...measured, database, meetings_setup_seconds: setup.seconds }, reference };
      } finally {
        await video.stop();
      }
    };
    // The service as production runs it (PostgreSQL) when DATABASE_URL is set, and on PGlite
    // (in-process: its queries run on the event loop that relays) beside it or alone.
    const pgliteRun = await measureService({}, "pglite");
    const pglite = pgliteRun.measured;
    let postgresRun: { measured: Measured; reference: Measured } | undefined;
    if (ctx.options.databaseUrl) {
      const scratch = scratchSchema(ctx.options.databaseUrl, "signalling");
      try {
        postgresRun = await measureService(
          { databaseUrl: ctx.options.databaseUrl, schema: scratch.schema },
          "postgres",
        );
      } finally {
        await scratch.drop();
      }
    }
    const postgres = postgresRun?.measured;
    const service = postgres ?? pglite;
    // `reference`: the relay measured beside `service` (as `service`, PostgreSQL when set).
    const reference = postgresRun?.reference ?? pgliteRun.reference;
    const runs = postgresRun ? [postgresRun, pgliteRun] : [pgliteRun];
    const ratioRow = (name: string, m: Measured, ref: Measured) => [
      name,
      null,
      ratio(m.load.offer.p50, ref.load.offer.p50),
      ratio(m.load.offer.p99, ref.load.offer.p99),
      ratio(m.load.answer.p50, ref.load.answer.p50),
      ratio(m.load.answer.p99, ref.load.answer.p99),
      ratio(m.load.ice.p50, ref.load.ice.p50),
      ratio(m.load.ice.p99, ref.load.ice.p99),
      ratio(m.load.messages_per_sec, ref.load.messages_per_sec),
      ratio(m.bytes_per_connection, ref.bytes_per_connection),
      ratio(m.heap_bytes_per_connection, ref.heap_bytes_per_connection),
      null,
    ];
    const measuredServices = runs.map((r) => r.measured);
    const name = (m: Measured) => databaseName(m.database);
    ctx.table(
      `${meetings} meetings × 2 attendees, latencies in ms (send → receipt through the server); ` +
        "each service's bare ws relay measured right before its exchanges",
      header,
      [
        ...runs.flatMap((r) => [
          row(`bare ws relay (beside ${name(r.measured)})`, r.reference),
          row(`video service signalling (${name(r.measured)})`, r.measured),
        ]),
        ...runs.map((r) => ratioRow(`ratio service (${name(r.measured)}) / relay`, r.measured, r.reference)),
      ],
    );
    for (const m of measuredServices) {
      if (m.loop_delay) {
        ctx.note(
          `video service (${name(m)}) event-loop delay during the exchanges: ` +
            `p50 ${m.loop_delay.p50_ms} ms, p99 ${m.loop_delay.p99_ms} ms, p99.9 ${m.loop_delay.p999_ms} ms, max ${m.loop_delay.max_ms} ms` +
            gcNote(m.loop_delay.gc),
        );
      }
    }
    ctx.note(
      `server RSS: relay ${mib(reference.rss_before)} → ${mib(reference.rss_connected)} MiB, ` +
        measuredServices
          .map((m) => `video service (${name(m)}) ${mib(m.rss_before)} → ${mib(m.rss_connected)} MiB`)
          .join(", ") +
        ` with ${service.load.sockets} sockets open`,
    );
    ctx.note(
      `${meetings} meetings started and joined through POST start/join in ` +
        measuredServices.map((m) => `${m.meetings_setup_seconds} s (${name(m)})`).join(", "),
    );
    // `service`: PostgreSQL when the run had DATABASE_URL (as production), else PGlite; each
    // with the relay measured beside it (`reference`, `reference_pglite`).
    return {
      meetings,
      reference,
      service,
      service_database: databaseName(service.database),
      ...(postgresRun ? { service_pglite: pglite, reference_pglite: pgliteRun.reference } : {}),
    };
  },
};
/** "; GC pauses: 12 scavenges (30 ms, max 4), 1 mark-compacts (20 ms, max 20)", from the loop watch. */
function gcNote(gc: Record<string, { count: number; total_ms: number; max_ms: number }> | undefined): string {
  if (!gc) return "";
  const part = (name: string, g: { count: number; total_ms: number; max_ms: number } | undefined) =>
    g ? `${g.count} ${name} (${g.total_ms} ms, max ${g.max_ms})` : `no ${name}`;
  return `; GC pauses: ${part("scavenges", gc.scavenge)}, ${part("mark-compacts", gc.mark_compact)}`;
}
const signalUrl = (port: number, sessionId: string, token: string) =>
  `ws://127.0.0.1:${port}/api/video/sessions/${sessionId}/signal?token=${encodeURIComponent(token)}`;

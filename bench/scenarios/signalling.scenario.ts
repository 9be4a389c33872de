import { ChildServer } from "../lib/child-process.ts";
import { type BenchContext, type Scenario, SkipScenario } from "../lib/context.ts";
import { baselineEntry, partExists, serverEntry } from "../lib/paths.ts";
import { type MeetingPair, runSignallingLoad, type SignallingLoadResult } from "../lib/signalling-load.ts";
import { mib, ratio, round } from "../lib/stats.ts";
import { type BenchMeeting, openMeetings } from "./meetings.ts";

interface Measured {
  load: SignallingLoadResult;
  rss_before: number;
  rss_connected: number;
  bytes_per_connection: number;
  heap_bytes_per_connection: number;
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

async function measure(server: ChildServer, pairs: MeetingPair[], quick: boolean): Promise<Measured> {
  const before = await settledMemory(server);
  let connected = before;
  const load = await runSignallingLoad(pairs, {
    rounds: quick ? 1 : 4,
    roundMs: 2000,
    iceCandidates: 4,
    connectConcurrency: 50,
    onAllConnected: async () => {
      connected = await settledMemory(server);
    },
  });
  const sockets = pairs.length * 2;
  return {
    load,
    rss_before: before.rss,
    rss_connected: connected.rss,
    bytes_per_connection: Math.round((connected.rss - before.rss) / sockets),
    heap_bytes_per_connection: Math.round((connected.heapUsed - before.heapUsed) / sockets),
  };
}

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
    const relay = await ChildServer.start(baselineEntry("ws-relay"));
    const relayPairs: MeetingPair[] = Array.from({ length: meetings }, (_, i) => ({
      a: { attendeeId: `m${i}-a`, url: `ws://127.0.0.1:${relay.port}/relay/m${i}?attendee=m${i}-a` },
      b: { attendeeId: `m${i}-b`, url: `ws://127.0.0.1:${relay.port}/relay/m${i}?attendee=m${i}-b` },
    }));
    const reference = await measure(relay, relayPairs, ctx.options.quick).finally(() => relay.stop());
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
      ctx.table("bare ws relay (reference only; latencies in ms)", header, [row("bare ws relay", reference)]);
      throw new SkipScenario("video service not in this checkout; only the reference was measured");
    }

    const video = await ChildServer.start(serverEntry("video"), {});
    let service: Measured;
    let setup: { meetings: BenchMeeting[]; seconds: number };
    try {
      setup = await openMeetings(video, meetings);
      const pairs: MeetingPair[] = setup.meetings.map((m) => ({
        a: { attendeeId: m.doctor.attendeeId, url: signalUrl(video.port, m.sessionId, m.doctor.joinToken) },
        b: { attendeeId: m.patient.attendeeId, url: signalUrl(video.port, m.sessionId, m.patient.joinToken) },
      }));
      service = await measure(video, pairs, ctx.options.quick);
    } finally {
      await video.stop();
    }
    ctx.table(`${meetings} meetings × 2 attendees, latencies in ms (send → receipt through the server)`, header, [
      row("bare ws relay", reference),
      row("video service signalling", service),
      [
        "ratio service / relay",
        null,
        ratio(service.load.offer.p50, reference.load.offer.p50),
        ratio(service.load.offer.p99, reference.load.offer.p99),
        ratio(service.load.answer.p50, reference.load.answer.p50),
        ratio(service.load.answer.p99, reference.load.answer.p99),
        ratio(service.load.ice.p50, reference.load.ice.p50),
        ratio(service.load.ice.p99, reference.load.ice.p99),
        ratio(service.load.messages_per_sec, reference.load.messages_per_sec),
        ratio(service.bytes_per_connection, reference.bytes_per_connection),
        ratio(service.heap_bytes_per_connection, reference.heap_bytes_per_connection),
        null,
      ],
    ]);
    ctx.note(
      `server RSS: relay ${mib(reference.rss_before)} → ${mib(reference.rss_connected)} MiB, ` +
        `video service ${mib(service.rss_before)} → ${mib(service.rss_connected)} MiB with ${service.load.sockets} sockets open`,
    );
    ctx.note(`${meetings} meetings started and joined through POST start/join in ${setup.seconds} s`);
    return { meetings, reference, service };
  },
};

const signalUrl = (port: number, sessionId: string, token: string) =>
  `ws://127.0.0.1:${port}/api/video/sessions/${sessionId}/signal?token=${encodeURIComponent(token)}`;

// Signalling relay latency, same instance vs across two instances linked through Redis.
// A measurement, not a test (nothing asserted):
//
//   REDIS_URL=redis://127.0.0.1:6379 node --conditions=@clinic/source --import tsx bench/fanout-latency.ts [relays]
//
// Two video-service apps (the real buildApp) in this process on one database; a doctor and a
// patient exchange `offer`s one at a time, alternating directions, first both on instance A,
// then the doctor on A and the patient on B. The time is from the sender's `send` to the
// receiver's socket getting the frame (both clients in this process: one clock). Paced under
// the per-connection limit of 60 frames a second. Without REDIS_URL, the in-process link.
import { performance } from "node:perf_hooks";
import {
  connectSignal,
  createHarness,
  createPeer,
  type SignalClient,
  signalUrl,
  testCluster,
} from "@clinic/video-service/testing";

const relays = Number(process.argv[2] ?? 500);
const redisUrl = process.env.REDIS_URL;
const cluster = await testCluster(redisUrl);
const linked = cluster.signalCluster ? { signalCluster: cluster.signalCluster } : {};
const a = await createHarness({ env: cluster.env("bench-a"), ...linked });
const b = await createPeer(a, { env: cluster.env("bench-b"), ...linked });
const baseA = await a.listen();
const baseB = await b.listen({ port: 0, host: "127.0.0.1" });

/** When each frame arrived, by its sdp (unique per relay). */
const arrivals = new Map<string, number>();
function client(base: string, sessionId: string, token: string): SignalClient {
  const c = connectSignal(signalUrl(base, sessionId, token));
  c.ws.on("message", (data) => {
    const at = performance.now();
    const m = JSON.parse(data.toString()) as { type: string; sdp?: string };
    if (m.type === "offer" && m.sdp) arrivals.set(m.sdp, at);
  });
  return c;
}

async function measure(label: string, doctorBase: string, patientBase: string) {
  const m = await a.meeting();
  const doctor = client(doctorBase, m.sessionId, m.doctor.join_token);
  await doctor.next("welcome");
  const patient = client(patientBase, m.sessionId, m.patient.join_token);
  await patient.next("welcome");
  await doctor.next("attendee.joined");
  const samples: number[] = [];
  for (let i = 0; i < relays; i++) {
    const [from, to] = i % 2 === 0 ? [doctor, m.patient.attendee_id] : [patient, m.doctor.attendee_id];
    const sdp = `${label}-${i}`;
    const sent = performance.now();
    from.send({ type: "offer", to, sdp });
    while (!arrivals.has(sdp) && performance.now() - sent < 2000) await new Promise((r) => setImmediate(r));
    const at = arrivals.get(sdp);
    if (at === undefined) throw new Error(`relay ${sdp} lost`);
    samples.push(at - sent);
    await new Promise((r) => setTimeout(r, 25)); // ≤ 40 frames a second per sender
  }
  doctor.close();
  patient.close();
  samples.sort((x, y) => x - y);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!.toFixed(3);
  console.log(
    `${label.padEnd(34)} n=${samples.length}  p50=${q(0.5)} ms  p90=${q(0.9)} ms  p99=${q(0.99)} ms  max=${samples.at(-1)!.toFixed(3)} ms`,
  );
}

try {
  console.log(`link: ${redisUrl ? `Redis (${new URL(redisUrl).host})` : "in-process"}; ${relays} relays each`);
  await measure("same instance (A → A)", baseA, baseA);
  await measure(`across instances (A ↔ B, ${redisUrl ? "Redis" : "in-process"})`, baseA, baseB);
} finally {
  await b.close();
  await a.close();
  await cluster.cleanup();
}

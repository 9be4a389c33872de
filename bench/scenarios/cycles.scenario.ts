import { runPgbench } from "../baselines/pgbench.ts";
import { ChildServer } from "../lib/child-process.ts";
import { type BenchContext, type Scenario, SkipScenario } from "../lib/context.ts";
import { partExists, serverEntry } from "../lib/paths.ts";
import { scratchSchema, serverVersion } from "../lib/pg-scratch.ts";
import { percentile, ratio, round } from "../lib/stats.ts";
import type { BookedAppointment, VideoServerInfo } from "../servers/video-server-info.ts";
import { startAndJoin } from "./meetings.ts";

const clients = 4;

interface CycleResult {
  database: string;
  cycles: number;
  seconds: number;
  cycles_per_sec: number;
  cycle_p50_ms: number;
  cycle_p99_ms: number;
  ran_out_of_appointments: boolean;
}

async function endSession(baseUrl: string, sessionId: string, token: string) {
  const response = await fetch(`${baseUrl}/api/video/sessions/${sessionId}/end`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ notes: "bench cycle", quality_rating: 5 }),
  });
  if (response.status !== 200) throw new Error(`end → ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

/** `clients` doctors loop start → join (patient) → end, each on its own appointment, for `seconds`. */
async function measureCycles(params: Record<string, unknown>, seconds: number, booked: number): Promise<CycleResult> {
  const video = await ChildServer.start(serverEntry("video"), params);
  try {
    const info = video.info as unknown as VideoServerInfo;
    const baseUrl = `http://127.0.0.1:${video.port}`;
    const appointments = (await video.call("bookAppointments", { count: booked })) as BookedAppointment[];
    // Warm-up cycles are not counted.
    for (const a of appointments.splice(0, 20)) {
      const m = await startAndJoin(baseUrl, a);
      await endSession(baseUrl, m.sessionId, a.doctorToken);
    }
    const durations: number[] = [];
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const worker = async () => {
      while (performance.now() < deadline) {
        const a = appointments.pop();
        if (!a) return;
        const t0 = performance.now();
        const m = await startAndJoin(baseUrl, a);
        await endSession(baseUrl, m.sessionId, a.doctorToken);
        durations.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: clients }, worker));
    const elapsed = (performance.now() - started) / 1000;
    return {
      database: info.database,
      cycles: durations.length,
      seconds: round(elapsed, 1),
      cycles_per_sec: round(durations.length / elapsed, 1),
      cycle_p50_ms: round(percentile(durations, 50), 1),
      cycle_p99_ms: round(percentile(durations, 99), 1),
      ran_out_of_appointments: appointments.length === 0,
    };
  } finally {
    await video.stop();
  }
}

/** 3. start → join → end cycles per second on PGlite and PostgreSQL, beside pgbench on the same PostgreSQL. */
export const cyclesScenario: Scenario = {
  name: "cycles",
  title: "3. start → join → end cycles per second (PGlite, PostgreSQL) vs pgbench",
  async run(ctx: BenchContext) {
    const { databaseUrl, quick } = ctx.options;
    const seconds = ctx.options.durationSec;
    const pgbench = databaseUrl ? await runPgbench(databaseUrl, seconds, clients) : [];
    const version = databaseUrl ? await serverVersion(databaseUrl) : undefined;
    if (pgbench.length) {
      ctx.table(
        `pgbench on PostgreSQL ${version}, ${clients} clients, ${seconds} s (reference)`,
        ["mode", "tps", "latency avg ms", "transactions"],
        pgbench.map((r) => [r.mode, r.tps, r.latency_avg_ms, r.transactions]),
      );
    }
    if (!partExists("apps/video-service/src/index.ts")) {
      throw new SkipScenario("video service not in this checkout; only the pgbench reference was measured");
    }
    const booked = quick ? 300 : 1500;
    const results: CycleResult[] = [await measureCycles({}, seconds, booked)];
    if (databaseUrl) {
      const scratch = scratchSchema(databaseUrl, "cycles");
      try {
        results.push(await measureCycles({ databaseUrl, schema: scratch.schema }, seconds, booked));
      } finally {
        await scratch.drop();
      }
    } else {
      ctx.note("DATABASE_URL not set: the PostgreSQL figure and pgbench reference are skipped");
    }
    const update = pgbench.find((r) => r.mode.startsWith("simple-update"));
    ctx.table(
      `${clients} concurrent doctors, each cycle = POST start + POST join (patient) + POST end`,
      ["database", "cycles", "cycles/s", "cycle p50 ms", "cycle p99 ms", "pgbench -N tps", "cycles/s ÷ pgbench tps"],
      results.map((r) => [
        r.database,
        r.cycles,
        r.cycles_per_sec,
        r.cycle_p50_ms,
        r.cycle_p99_ms,
        r.database === "postgres" ? (update?.tps ?? null) : null,
        r.database === "postgres" && update ? ratio(r.cycles_per_sec, update.tps, 4) : null,
      ]),
    );
    for (const r of results) {
      if (r.ran_out_of_appointments) ctx.note(`${r.database}: all booked appointments used before the time was up`);
    }
    return { clients, postgres_version: version, pgbench, cycles: results };
  },
};

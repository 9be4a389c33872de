import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import pg from "pg";
import type { FloorVariant } from "../baselines/cycle-floor.server.ts";
import { runPgbench } from "../baselines/pgbench.ts";
import { ChildServer } from "../lib/child-process.ts";
import { type BenchContext, type Scenario, SkipScenario } from "../lib/context.ts";
import { type CpuSnapshot, cpuCores, cpuSnapshot } from "../lib/cpu.ts";
import { baselineEntry, partExists, serverEntry } from "../lib/paths.ts";
import { scratchSchema, serverVersion } from "../lib/pg-scratch.ts";
import type { StepCounts } from "../lib/query-counter.ts";
import { percentile, ratio, round } from "../lib/stats.ts";
import type { BookedAppointment, VideoServerInfo } from "../servers/video-server-info.ts";
import { call, expectOk, startAndJoin } from "./meetings.ts";

/** Concurrent doctors looping cycles, and pgbench's clients (-c): the same concurrency on both sides. */
const clients = 4;

/** Issue 14's goal: the product's PostgreSQL cycles/s ÷ pgbench -N tps (same clients, same run). */
const cycleGoal = 0.1;

/** The HTTP calls of one cycle, in order (meetings.ts `startAndJoin`, then `endSession`). */
const steps = ["start", "waiting-room", "consent-text", "consent", "join", "end"] as const;

/** Per HTTP call of a step (per cycle for "background" and the appointments lookups), PostgreSQL only. */
interface StepFigures {
  step: string;
  calls: number;
  round_trips: number;
  transactions: number;
  write_transactions: number;
  /** The statements of one call (its first words), in order: where the round trips go. */
  sample?: string[];
}

interface CycleResult {
  database: string;
  cycles: number;
  seconds: number;
  cycles_per_sec: number;
  cycle_p50_ms: number;
  cycle_p99_ms: number;
  ran_out_of_appointments: boolean;
  /** Round trips and transactions per step (PostgreSQL; PGlite is not reached through pg). */
  per_step?: StepFigures[];
  /**
   * CPU milliseconds per cycle over the measured run: the service process (video and
   * appointments services, one process) and its PostgreSQL backends (PostgreSQL only).
   */
  cpu_ms_per_cycle?: { service: number; postgres_backends?: number };
  /** Where the PostgreSQL run's CPU profile went (`BENCH_CPU_PROF=<dir>`). */
  cpu_profile?: string;
}

/**
 * The cycle-shaped floor (`baselines/cycle-floor.server.ts`): a bare Fastify server doing one
 * autocommit INSERT per call, driven like the product's cycles, right after them.
 */
interface FloorCycle {
  cycles_per_sec: number;
  /** Floor cycles/s ÷ pgbench -N tps: what six HTTP calls with one write each leave of the database. */
  ratio_to_pgbench: number | null;
  /** The product's PostgreSQL cycles/s ÷ the floor's. */
  product_ratio_to_floor: number | null;
  /**
   * Issue 14's goal in this run (0.10 × pgbench -N tps) ÷ the floor's cycles/s: above 1, no server
   * that commits a row a call reaches it on this machine (Finding 43).
   */
  goal_ratio_to_floor: number | null;
  cycle_p50_ms: number;
  /** CPU ms per cycle of the floor's server process and of its PostgreSQL backends. */
  cpu_ms_per_cycle?: { service: number; postgres_backends?: number };
}

/** The PostgreSQL backends serving connections named `applicationName` (this child's pools). */
async function backendPids(databaseUrl: string, applicationName: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
      [applicationName],
    );
    return Object.fromEntries(rows.map((r) => [`pg${r.pid}`, r.pid]));
  } finally {
    await client.end();
  }
}

/** CPU ms per cycle of the service and of its backends between two snapshots (backends seen at either end). */
function cpuPerCycle(
  before: CpuSnapshot,
  after: CpuSnapshot,
  seconds: number,
  cycles: number,
  withBackends: boolean,
): CycleResult["cpu_ms_per_cycle"] {
  // A backend that appeared during the run used all its CPU in it.
  for (const name of Object.keys(after.processes)) before.processes[name] ??= 0;
  const cores = cpuCores(before, after);
  const ms = (c: number) => round((c * seconds * 1000) / Math.max(1, cycles), 2);
  let backends = 0;
  for (const [name, c] of Object.entries(cores)) if (name.startsWith("pg") && Number.isFinite(c)) backends += c;
  return { service: ms(cores.service ?? 0), ...(withBackends ? { postgres_backends: ms(backends) } : {}) };
}

/** Averages per call of each step; the rest (appointments service, background work) per cycle. */
function perStep(counts: Record<string, StepCounts>, cycles: number): StepFigures[] {
  const per = (c: StepCounts, n: number) => ({
    round_trips: round(c.round_trips / Math.max(1, n), 2),
    transactions: round(c.transactions / Math.max(1, n), 2),
    write_transactions: round(c.write_transactions / Math.max(1, n), 2),
  });
  const rows: StepFigures[] = steps.map((step) => {
    const c = counts[step] ?? { requests: 0, round_trips: 0, transactions: 0, write_transactions: 0, sample: [] };
    return { step, calls: c.requests, ...per(c, c.requests), sample: c.sample };
  });
  const total = { requests: 0, round_trips: 0, transactions: 0, write_transactions: 0, sample: [] };
  for (const [name, c] of Object.entries(counts)) {
    total.round_trips += c.round_trips;
    total.transactions += c.transactions;
    total.write_transactions += c.write_transactions;
    if ((steps as readonly string[]).includes(name)) continue;
    // Work a step set going after its answer, the appointments service's, and the rest: per cycle.
    rows.push({ step: `${name} (per cycle)`, calls: c.requests, ...per(c, cycles) });
  }
  rows.push({ step: "whole cycle", calls: cycles, ...per(total, cycles) });
  return rows;
}

async function endSession(baseUrl: string, sessionId: string, token: string) {
  const answer = await call("POST", `${baseUrl}/api/video/sessions/${sessionId}/end`, token, {
    notes: "bench cycle",
    quality_rating: 5,
  });
  // Read in full (`call`), decompressed only to report a failure: nothing uses the answer.
  if (answer.status !== 200) expectOk(answer, "end");
}

/**
 * `clients` workers loop `cycle` (false: nothing left to do) for `seconds`; the product's cycles
 * and the floor's run through this same loop.
 */
async function driveCycles(seconds: number, cycle: () => Promise<boolean>) {
  const durations: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      if (!(await cycle())) return;
      durations.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  return { durations, elapsed: (performance.now() - started) / 1000 };
}

/** `clients` doctors loop start → join (patient) → end, each on its own appointment, for `seconds`. */
export async function measureCycles(
  params: Record<string, unknown>,
  seconds: number,
  booked: number,
): Promise<CycleResult> {
  const databaseUrl = typeof params.databaseUrl === "string" ? params.databaseUrl : undefined;
  const applicationName = `bench-cycles-${process.pid}-${Date.now()}`;
  const video = await ChildServer.start(serverEntry("video"), { ...params, countQueries: true, applicationName });
  try {
    const info = video.info as unknown as VideoServerInfo;
    const baseUrl = `http://127.0.0.1:${video.port}`;
    const appointments = (await video.call("bookAppointments", { count: booked })) as BookedAppointment[];
    // Warm-up cycles are not counted.
    for (const a of appointments.splice(0, 20)) {
      const m = await startAndJoin(baseUrl, a);
      await endSession(baseUrl, m.sessionId, a.doctorToken);
    }
    await video.call("resetQueryCounts");
    // `BENCH_CPU_PROF=<dir>`: a CPU profile of the measured cycles alone (PostgreSQL run).
    const profileDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
    const profile = profileDir && databaseUrl ? join(profileDir, `cycles-${Date.now()}.cpuprofile`) : undefined;
    if (profileDir && profile) mkdirSync(profileDir, { recursive: true });
    if (profile) await video.call("watchLoopStart", { profile });
    const pids = async () => ({
      service: video.pid,
      ...(databaseUrl ? await backendPids(databaseUrl, applicationName) : {}),
    });
    const cpuBefore = cpuSnapshot(await pids());
    const { durations, elapsed } = await driveCycles(seconds, async () => {
      const a = appointments.pop();
      if (!a) return false;
      const m = await startAndJoin(baseUrl, a);
      await endSession(baseUrl, m.sessionId, a.doctorToken);
      return true;
    });
    const cpuAfter = cpuSnapshot(await pids());
    if (profile) await video.call("watchLoopStop");
    // Every counted cycle has been answered here; background work still running is counted as far as it got.
    const counts = (await video.call("queryCounts")) as Record<string, StepCounts>;
    return {
      database: info.database,
      cycles: durations.length,
      seconds: round(elapsed, 1),
      cycles_per_sec: round(durations.length / elapsed, 1),
      cycle_p50_ms: round(percentile(durations, 50), 1),
      cycle_p99_ms: round(percentile(durations, 99), 1),
      ran_out_of_appointments: appointments.length === 0,
      ...(info.database === "postgres" ? { per_step: perStep(counts, durations.length) } : {}),
      cpu_ms_per_cycle: cpuPerCycle(cpuBefore, cpuAfter, elapsed, durations.length, databaseUrl !== undefined),
      ...(profile ? { cpu_profile: profile } : {}),
    };
  } finally {
    await video.stop();
  }
}

/**
 * The floor's cycles: each worker makes the cycle's six calls in order, as POSTs with a small
 * JSON body and a bearer token, through the same client (`meetings.ts` `call`) and loop.
 * `variant`: the floor server's (`baselines/cycle-floor.server.ts`); the scenario's is Fastify.
 */
export async function measureFloorCycles(databaseUrl: string, seconds: number, variant: FloorVariant = "fastify") {
  const scratch = scratchSchema(databaseUrl, "cycle_floor");
  const applicationName = `bench-cycle-floor-${process.pid}-${Date.now()}`;
  try {
    const floor = await ChildServer.start(baselineEntry("cycle-floor"), {
      databaseUrl,
      schema: scratch.schema,
      applicationName,
      steps,
      variant,
    });
    try {
      const baseUrl = `http://127.0.0.1:${floor.port}`;
      const cycle = async () => {
        for (const step of steps) {
          expectOk(await call("POST", `${baseUrl}/floor/${step}`, "floor", { step, note: "bench cycle" }), step);
        }
        return true;
      };
      for (let i = 0; i < 20; i++) await cycle();
      const pids = async () => ({ service: floor.pid, ...(await backendPids(databaseUrl, applicationName)) });
      const cpuBefore = cpuSnapshot(await pids());
      const { durations, elapsed } = await driveCycles(seconds, cycle);
      const cpuAfter = cpuSnapshot(await pids());
      return {
        cycles: durations.length,
        cycles_per_sec: round(durations.length / elapsed, 1),
        cycle_p50_ms: round(percentile(durations, 50), 1),
        cycle_p99_ms: round(percentile(durations, 99), 1),
        cpu_ms_per_cycle: cpuPerCycle(cpuBefore, cpuAfter, elapsed, durations.length, true),
      };
    } finally {
      await floor.stop();
    }
  } finally {
    await scratch.drop();
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
        ["mode", "clients", "tps", "latency avg ms", "transactions"],
        pgbench.map((r) => [r.mode, r.clients, r.tps, r.latency_avg_ms, r.transactions]),
      );
    }
    if (!partExists("apps/video-service/src/index.ts")) {
      throw new SkipScenario("video service not in this checkout; only the pgbench reference was measured");
    }
    const booked = quick ? 300 : 1500;
    const results: CycleResult[] = [await measureCycles({}, seconds, booked)];
    let floor: Awaited<ReturnType<typeof measureFloorCycles>> | undefined;
    if (databaseUrl) {
      const scratch = scratchSchema(databaseUrl, "cycles");
      try {
        results.push(await measureCycles({ databaseUrl, schema: scratch.schema }, seconds, booked));
      } finally {
        await scratch.drop();
      }
      // Right after the product's PostgreSQL cycles, so both meet the same machine.
      floor = await measureFloorCycles(databaseUrl, seconds);
    } else {
      ctx.note("DATABASE_URL not set: the PostgreSQL figure and pgbench reference are skipped");
    }
    const update = pgbench.find((r) => r.mode.startsWith("simple-update"));
    const onPostgres = results.find((r) => r.database === "postgres");
    const floorCycle: FloorCycle | undefined = floor && {
      cycles_per_sec: floor.cycles_per_sec,
      ratio_to_pgbench: update ? ratio(floor.cycles_per_sec, update.tps, 4) : null,
      product_ratio_to_floor: onPostgres ? ratio(onPostgres.cycles_per_sec, floor.cycles_per_sec, 3) : null,
      goal_ratio_to_floor: update ? ratio(cycleGoal * update.tps, floor.cycles_per_sec, 3) : null,
      cycle_p50_ms: floor.cycle_p50_ms,
      cpu_ms_per_cycle: floor.cpu_ms_per_cycle,
    };
    ctx.table(
      `${clients} concurrent doctors (pgbench: ${update?.clients ?? "—"} clients), each cycle = POST start, PUT waiting-room, GET consent-text, POST consent, POST join (patient), POST end; the floor's = 6 POSTs of one INSERT each`,
      [
        "database",
        "clients",
        "cycles",
        "cycles/s",
        "cycle p50 ms",
        "cycle p99 ms",
        "pgbench -N tps",
        "cycles/s ÷ pgbench tps",
        "cycles/s ÷ floor",
        "service CPU ms/cycle",
        "PG backends CPU ms/cycle",
      ],
      [
        ...results.map((r) => [
          r.database,
          clients,
          r.cycles,
          r.cycles_per_sec,
          r.cycle_p50_ms,
          r.cycle_p99_ms,
          r.database === "postgres" ? (update?.tps ?? null) : null,
          r.database === "postgres" && update ? ratio(r.cycles_per_sec, update.tps, 4) : null,
          r.database === "postgres" ? (floorCycle?.product_ratio_to_floor ?? null) : null,
          r.cpu_ms_per_cycle?.service ?? null,
          r.cpu_ms_per_cycle?.postgres_backends ?? null,
        ]),
        ...(floor && floorCycle
          ? [
              [
                "floor: bare Fastify, 1 INSERT a call (PostgreSQL)",
                clients,
                floor.cycles,
                floor.cycles_per_sec,
                floor.cycle_p50_ms,
                floor.cycle_p99_ms,
                update?.tps ?? null,
                floorCycle.ratio_to_pgbench,
                null,
                floor.cpu_ms_per_cycle?.service ?? null,
                floor.cpu_ms_per_cycle?.postgres_backends ?? null,
              ],
            ]
          : []),
      ],
    );
    if (update && floorCycle?.goal_ratio_to_floor != null) {
      const goal = round(cycleGoal * update.tps, 0);
      ctx.note(
        floorCycle.goal_ratio_to_floor > 1
          ? `issue 14's goal (${cycleGoal} × pgbench -N) is ${goal} cycles/s here, ${floorCycle.goal_ratio_to_floor} × the floor's: above what a bare server committing one row a call reaches on this machine (Finding 43)`
          : `issue 14's goal (${cycleGoal} × pgbench -N) is ${goal} cycles/s here: ${floorCycle.goal_ratio_to_floor} of the floor's`,
      );
    }
    const counted = results.find((r) => r.per_step);
    if (counted?.per_step) {
      ctx.table(
        `PostgreSQL: database round trips and transactions per call of each step (cycle = ${steps.join(" → ")})`,
        ["step", "calls", "round trips", "transactions", "of which write"],
        counted.per_step.map((s) => [s.step, s.calls, s.round_trips, s.transactions, s.write_transactions]),
      );
    }
    for (const r of results) {
      if (r.ran_out_of_appointments) ctx.note(`${r.database}: all booked appointments used before the time was up`);
    }
    return {
      clients,
      postgres_version: version,
      pgbench,
      cycles: results,
      ...(floorCycle ? { floor_cycle: floorCycle } : {}),
    };
  },
};

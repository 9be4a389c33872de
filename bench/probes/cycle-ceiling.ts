/**
 * How high the cycle's goal (cycles/s ≥ 0.10 × `pgbench -N` tps, 4 clients each) can be met on
 * this machine at all (Finding 43): `pgbench -N` beside three servers that do less than any
 * product could — six sequential POSTs a cycle through the bench's own client and loop, each
 * call (1) the scenario's bare Fastify floor, one autocommit INSERT; (2) the same INSERT from
 * `node:http` without Fastify; (3) `node:http` with no database at all. A call of the product
 * must at least commit one row (its audit row), so (1) and (2) bound what any implementation of
 * the cycle reaches here.
 *
 *   DATABASE_URL=postgres://… node --conditions=@clinic/source --import tsx bench/probes/cycle-ceiling.ts [rounds=2] [seconds=10]
 */
import type { FloorVariant } from "../baselines/cycle-floor.server.ts";
import { runPgbench } from "../baselines/pgbench.ts";
import { ratio, round } from "../lib/stats.ts";
import { measureFloorCycles } from "../scenarios/cycles.scenario.ts";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  process.stderr.write(
    "DATABASE_URL is required (a PostgreSQL the probe may create scratch schemas and a database in)\n",
  );
  process.exit(2);
}
const rounds = Number(process.argv[2] ?? 2);
const seconds = Number(process.argv[3] ?? 10);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10 || !(seconds >= 1 && seconds <= 60)) {
  process.stderr.write("usage: cycle-ceiling.ts [rounds 1–10] [seconds 1–60]\n");
  process.exit(2);
}

const variants: FloorVariant[] = ["fastify", "node-http", "node-http-no-db"];
const lines = [
  "| round | pgbench -N tps | tx latency ms | server | cycles/s | cycle p50 ms | ÷ pgbench -N | goal 0.10 needs cycles/s |",
  "|---|---|---|---|---|---|---|---|",
];
for (let r = 1; r <= rounds; r++) {
  const update = (await runPgbench(databaseUrl, seconds)).find((p) => p.mode.startsWith("simple-update"));
  if (!update) throw new Error("pgbench -N gave no figure");
  for (const variant of variants) {
    const floor = await measureFloorCycles(databaseUrl, seconds, variant);
    lines.push(
      `| ${r} | ${update.tps} | ${update.latency_avg_ms} | ${variant} | ${floor.cycles_per_sec} | ${floor.cycle_p50_ms} | ${ratio(floor.cycles_per_sec, update.tps, 4)} | ${round(update.tps * 0.1, 0)} |`,
    );
    process.stderr.write(`${lines.at(-1)}\n`);
  }
}
process.stdout.write(`${lines.join("\n")}\n`);

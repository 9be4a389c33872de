import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { scratchDatabase } from "../lib/pg-scratch.ts";
import { round } from "../lib/stats.ts";

const run = promisify(execFile);

export interface PgbenchResult {
  mode: "select-only (-S)" | "simple-update (-N)";
  clients: number;
  seconds: number;
  tps: number;
  latency_avg_ms: number;
  transactions: number;
}

/**
 * Reference for scenario 3: what PostgreSQL itself does on this machine, measured with
 * pgbench in a scratch database (initialised at scale 1, dropped afterwards).
 */
export async function runPgbench(databaseUrl: string, seconds: number, clients = 4): Promise<PgbenchResult[]> {
  const scratch = await scratchDatabase(databaseUrl, "pgbench");
  try {
    await run("pgbench", ["-i", "-s", "1", "-q", scratch.url], { timeout: 120_000 });
    const results: PgbenchResult[] = [];
    for (const [flag, mode] of [
      ["-S", "select-only (-S)"],
      ["-N", "simple-update (-N)"],
    ] as const) {
      const { stdout } = await run(
        "pgbench",
        ["-n", flag, "-c", String(clients), "-j", "2", "-T", String(seconds), scratch.url],
        { timeout: (seconds + 60) * 1000 },
      );
      results.push({ mode, clients, seconds, ...parse(stdout) });
    }
    return results;
  } finally {
    await scratch.drop();
  }
}

function parse(stdout: string) {
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
  const latency = /latency average = ([\d.]+) ms/.exec(stdout)?.[1];
  const transactions = /number of transactions actually processed: (\d+)/.exec(stdout)?.[1];
  if (!tps || !latency || !transactions) throw new Error(`cannot read pgbench output:\n${stdout}`);
  return { tps: round(Number(tps), 0), latency_avg_ms: Number(latency), transactions: Number(transactions) };
}

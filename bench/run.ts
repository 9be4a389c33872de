/**
 * `npm run bench`: runs every scenario (or `--only=<name>[,<name>]`), prints a table per
 * scenario and writes all figures to bench/results/latest.json. Each comparative figure is
 * measured in this same run next to its reference and reported as a ratio.
 *
 * Options: --only=a,b  --duration=<s> (default 10)  --connections=<n> (default 50)  --quick
 *          --keep (keep the other scenarios already in latest.json: re-run one without losing the rest)
 * Environment: DATABASE_URL for the PostgreSQL figures (skipped without it); REDIS_URL (and
 * DATABASE_URL) for the cluster scenario.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BenchContext, type BenchOptions, type Scenario, SkipScenario } from "./lib/context.ts";
import { machineInfo } from "./lib/machine.ts";
import { scenarios } from "./scenarios/index.ts";

const resultsFile = join(dirname(fileURLToPath(import.meta.url)), "results", "latest.json");

function parseArgs(argv: string[]): { options: BenchOptions; only: string[]; keep: boolean } {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m?.[1]) throw new Error(`unknown argument ${arg}`);
    flags.set(m[1], m[2] ?? "true");
  }
  const known = new Set(["only", "duration", "connections", "quick", "keep"]);
  for (const key of flags.keys()) if (!known.has(key)) throw new Error(`unknown option --${key}`);
  const quick = flags.get("quick") === "true";
  const number = (key: string, fallback: number) => {
    const value = Number(flags.get(key) ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${key} must be a positive number`);
    return value;
  };
  return {
    keep: flags.get("keep") === "true",
    only: (flags.get("only") ?? "").split(",").filter(Boolean),
    options: {
      durationSec: number("duration", quick ? 3 : 10),
      connections: number("connections", 50),
      quick,
      databaseUrl: process.env.DATABASE_URL || undefined,
      redisUrl: process.env.REDIS_URL || undefined,
    },
  };
}

async function runScenario(scenario: Scenario, options: BenchOptions) {
  const ctx = new BenchContext(options);
  // Other work on the machine skews every figure; the load average says how busy it was.
  const load = loadavg().map((v) => Math.round(v * 100) / 100);
  process.stdout.write(`\n# ${scenario.title}\n  (load average before: ${load.join(" ")})\n`);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  let status: "ok" | "skipped" | "failed" = "ok";
  let result: Record<string, unknown> = {};
  let error: string | undefined;
  try {
    result = await scenario.run(ctx);
  } catch (err) {
    status = err instanceof SkipScenario ? "skipped" : "failed";
    error = err instanceof Error ? err.message : String(err);
    process.stdout.write(`  ${status.toUpperCase()}: ${error}\n`);
    if (status === "failed" && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  }
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  process.stdout.write(`  (${scenario.name}: ${status} in ${seconds} s)\n`);
  return {
    title: scenario.title,
    status,
    started_at: startedAt,
    // Per scenario, since --keep mixes runs.
    database_url: options.databaseUrl ? "set" : "unset",
    redis_url: options.redisUrl ? "set" : "unset",
    seconds,
    load_average_before: load,
    result,
    tables: ctx.tables,
    notes: ctx.notes,
    error,
  };
}

async function main() {
  const { options, only, keep } = parseArgs(process.argv.slice(2));
  const unknown = only.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length)
    throw new Error(`unknown scenario(s) ${unknown.join(", ")}; known: ${scenarios.map((s) => s.name).join(", ")}`);
  const selected = only.length ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
  const machine = machineInfo();
  process.stdout.write(
    `machine: ${machine.cpu_model} · ${machine.cpus} cores · ${machine.memory_gib} GiB · Node ${machine.node}\n`,
  );
  process.stdout.write(
    `database: ${options.databaseUrl ? "PostgreSQL (DATABASE_URL)" : "PGlite only (DATABASE_URL not set)"}\n`,
  );

  const report = {
    started_at: new Date().toISOString(),
    finished_at: "",
    machine,
    // Never the URLs themselves: they may carry passwords.
    options: {
      ...options,
      databaseUrl: options.databaseUrl ? "set" : "unset",
      redisUrl: options.redisUrl ? "set" : "unset",
    },
    scenarios: {} as Record<string, Awaited<ReturnType<typeof runScenario>>>,
  };
  if (keep && existsSync(resultsFile)) {
    const previous = JSON.parse(readFileSync(resultsFile, "utf8")) as typeof report;
    report.scenarios = previous.scenarios ?? {};
    report.started_at = previous.started_at ?? report.started_at;
  }
  for (const scenario of selected) {
    report.scenarios[scenario.name] = await runScenario(scenario, options);
    // Written after each scenario so an interrupted run still leaves its figures.
    report.finished_at = new Date().toISOString();
    mkdirSync(dirname(resultsFile), { recursive: true });
    writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
  }
  const failed = Object.entries(report.scenarios).filter(
    ([name, s]) => s.status === "failed" && selected.some((x) => x.name === name),
  );
  process.stdout.write(`\nresults: ${resultsFile}\n`);
  if (failed.length) {
    process.stdout.write(`failed: ${failed.map(([name]) => name).join(", ")}\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});

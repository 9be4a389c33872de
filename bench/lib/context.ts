import { type Cell, formatTable } from "./table.ts";

export interface BenchOptions {
  /** Seconds of measured load per autocannon run. */
  durationSec: number;
  connections: number;
  /** Smaller sizes and shorter runs, for trying the harness out; not for published figures. */
  quick: boolean;
  /** Real PostgreSQL for the figures that need it; unset → those parts are skipped. */
  databaseUrl: string | undefined;
  /** Redis (REDIS_URL) for the video-service replicas of the cluster scenario; unset → it is skipped. */
  redisUrl: string | undefined;
}

export interface RecordedTable {
  title: string;
  header: string[];
  rows: Cell[][];
}

/** What a scenario gets: the options, and a way to print tables and notes that also land in the JSON. */
export class BenchContext {
  readonly tables: RecordedTable[] = [];
  readonly notes: string[] = [];

  constructor(readonly options: BenchOptions) {}

  table(title: string, header: string[], rows: Cell[][]): void {
    this.tables.push({ title, header, rows });
    process.stdout.write(`${formatTable(title, header, rows)}\n`);
  }

  note(text: string): void {
    this.notes.push(text);
    process.stdout.write(`  · ${text}\n`);
  }
}

export interface Scenario {
  /** Used by `--only=<name>` and as the key in latest.json. */
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}

/** Thrown when a scenario cannot run here (no DATABASE_URL, a part not built yet): reported, not faked. */
export class SkipScenario extends Error {}

import { CompiledQuery, type KyselyPlugin, type RootOperationNode } from "kysely";
import type { VideoDb } from "../../apps/video-service/src/tables.ts";
import { intervalsForMonth } from "../../apps/video-service/src/usage/usage.repository.ts";
import { monthBounds } from "../../apps/video-service/src/usage/usage-calculator.ts";

class Captured extends Error {
  constructor(readonly node: RootOperationNode) {
    super("captured");
  }
}

/**
 * EXPLAIN ANALYZE of the usage endpoint's main query, exactly as its repository builds it:
 * the repository function runs against a Kysely that captures the query instead of sending
 * it, and the captured query (with its parameters) is explained on the same database.
 */
export async function explainUsageQuery(db: VideoDb, clinicId: string, month: string) {
  const capture: KyselyPlugin = {
    transformQuery: (args) => {
      throw new Captured(args.node);
    },
    transformResult: async (args) => args.result,
  };
  let node: RootOperationNode | undefined;
  await intervalsForMonth(db.withPlugin(capture), clinicId, monthBounds(month)).catch((err: unknown) => {
    if (!(err instanceof Captured)) throw err;
    node = err.node;
  });
  if (!node) throw new Error("the usage query was not captured");
  const compiled = db.getExecutor().compileQuery(node, { queryId: "bench-explain" });
  const result = await db.executeQuery<Record<string, string>>(
    CompiledQuery.raw(`EXPLAIN (ANALYZE, COSTS OFF) ${compiled.sql}`, [...compiled.parameters]),
  );
  const plan = result.rows.map((r) => Object.values(r)[0] ?? "");
  const scans = plan.filter((line) => /Scan/.test(line)).map((line) => line.trim().replace(/^->\s*/, ""));
  return {
    sql: compiled.sql,
    plan,
    uses_index: scans.some((s) => /Index|Bitmap/.test(s) && /attendance/.test(s)),
    seq_scan_of_intervals: scans.some((s) => /^Seq Scan on attendance_intervals/.test(s)),
  };
}

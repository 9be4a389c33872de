import { CompiledQuery, type KyselyPlugin, type RootOperationNode } from "kysely";
import type { VideoDb } from "../../apps/video-service/src/tables.ts";
import { intervalsForMonth } from "../../apps/video-service/src/usage/usage.repository.ts";
import { monthBounds } from "../../apps/video-service/src/usage/usage-calculator.ts";

/**
 * EXPLAIN ANALYZE of the usage endpoint's main query, exactly as its repository builds it:
 * the repository function runs once through a Kysely plugin that keeps the last query node
 * it sees (the outer UNION ALL; inner parts are transformed before it), and that query, with
 * its parameters, is explained on the same database.
 */
export async function explainUsageQuery(db: VideoDb, clinicId: string, month: string) {
  let node: RootOperationNode | undefined;
  const capture: KyselyPlugin = {
    transformQuery: (args) => {
      node = args.node;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  await intervalsForMonth(db.withPlugin(capture), clinicId, monthBounds(month));
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

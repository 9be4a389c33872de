import { sessionRollupPageQuery, type VideoDb } from "@clinic/video-service/testing";
import { CompiledQuery, type KyselyPlugin, type RootOperationNode } from "kysely";

/**
 * EXPLAIN ANALYZE of the usage endpoint's main query, exactly as its repository builds it: the
 * first page (50) of the month's per-session list from the rollups (the only usage query whose
 * input grows with the month; the totals read one row per doctor and day). The repository
 * query runs once through a Kysely plugin that keeps the query node it sees, and that query,
 * with its parameters, is explained on the same database.
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
  await sessionRollupPageQuery(db.withPlugin(capture), { zone: "UTC", clinicId }, month, 0, 50).execute();
  if (!node) throw new Error("the usage query was not captured");
  const compiled = db.getExecutor().compileQuery(node, { queryId: "bench-explain" });
  const explain = CompiledQuery.raw(`EXPLAIN (ANALYZE, COSTS OFF) ${compiled.sql}`, [...compiled.parameters]);
  const chosen = lines(await db.executeQuery<Record<string, string>>(explain));
  // The same query with sequential scans priced out: shows the index path exists and what it costs,
  // so a seq scan the planner picks for a large share of the table can be judged.
  const indexOnly = await db.transaction().execute(async (trx) => {
    await trx.executeQuery(CompiledQuery.raw("SET LOCAL enable_seqscan = off"));
    return lines(await trx.executeQuery<Record<string, string>>(explain));
  });
  return {
    sql: compiled.sql,
    plan: chosen,
    ...summary(chosen),
    index_only_plan: indexOnly,
    index_only_ms: summary(indexOnly).execution_ms,
  };
}

const lines = (result: { rows: Record<string, string>[] }) => result.rows.map((r) => Object.values(r)[0] ?? "");

function summary(plan: string[]) {
  const scans = plan.filter((line) => /Scan/.test(line)).map((line) => line.trim().replace(/^->\s*/, ""));
  const ms = /Execution Time: ([\d.]+) ms/.exec(plan.join("\n"))?.[1];
  return {
    uses_index: scans.some((s) => /Index|Bitmap/.test(s) && /attendance|usage_/.test(s)),
    seq_scan_of_intervals: scans.some((s) => /Seq Scan on attendance_intervals/.test(s)),
    /** Tables read in full somewhere in the plan (a join can scan everything even when the filter uses an index). */
    seq_scanned: [...new Set(scans.flatMap((s) => /Seq Scan on (\w+)/.exec(s)?.[1] ?? []))].sort(),
    execution_ms: ms ? Number(ms) : Number.NaN,
  };
}

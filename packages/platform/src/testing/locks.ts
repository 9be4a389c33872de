import { type Kysely, sql } from "kysely";

/**
 * Waits until some statement on `db` waits for a lock held by the backend `pid` (a transaction
 * a test holds open), polling `pg_blocking_pids` every 10 ms; throws `never` after ~5 s.
 * PostgreSQL only.
 */
export async function untilBlockedBy(
  // biome-ignore lint/suspicious/noExplicitAny: any service's database; the query names no table.
  db: Kysely<any>,
  pid: number | undefined,
  never: string,
): Promise<void> {
  for (let i = 0; ; i++) {
    const { rows } = await sql`SELECT 1 FROM pg_stat_activity WHERE ${pid}::int = ANY(pg_blocking_pids(pid))`.execute(
      db,
    );
    if (rows.length > 0) return;
    if (i > 500) throw new Error(never);
    await new Promise((r) => setTimeout(r, 10));
  }
}

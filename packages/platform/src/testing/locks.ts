import { type Kysely, sql, type Transaction } from "kysely";

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

export interface LockHeldSteps<DB, T> {
  hold: (trx: Transaction<DB>) => Promise<unknown>;
  request: () => PromiseLike<T>;
  during?: () => Promise<unknown>;
  end?: "commit" | "rollback";
  never: string;
}

/**
 * Sends `request` while a transaction of the test's holds a lock the request must wait for:
 * `hold` takes the lock (and makes whatever change the request should meet) in that transaction,
 * the request is sent, and once it waits for the holder (`untilBlockedBy`, failing with `never`)
 * `during` runs and the holder ends with `end` (commit by default). On any failure the holder is
 * rolled back. Resolves with the request's own answer. PostgreSQL only.
 */
export async function whileLockHeld<DB, T>(db: Kysely<DB>, steps: LockHeldSteps<DB, T>): Promise<T> {
  const holder = await db.startTransaction().execute();
  let pending: PromiseLike<T>;
  try {
    const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(holder)).rows[0]?.pid;
    await steps.hold(holder);
    pending = steps.request();
    await untilBlockedBy(db, pid, steps.never);
    await steps.during?.();
    await holder[steps.end ?? "commit"]().execute();
  } catch (err) {
    await holder
      .rollback()
      .execute()
      .catch(() => undefined);
    throw err;
  }
  return pending;
}

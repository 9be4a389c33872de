import type { VideoDb } from "../tables.ts";
import type { AuditEntry } from "./audit.repository.ts";
import { appendAuditRows } from "./audit.repository.ts";

/** At most this many rows in one INSERT (a bound on one statement's size and on the callers it fails together). */
export const auditBatchMaxRows = 500;

interface Waiting {
  entry: AuditEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit of standalone audit rows: the rows of concurrent requests go into the
 * database as one multi-row INSERT (one statement, so one commit), and each caller's promise
 * settles only when that statement has committed — or fails with it. A caller therefore never
 * answers before its row is durable; many callers share one commit's flush to disk.
 *
 * One batch is written at a time. The first row waits for the end of the current event-loop
 * turn (`setImmediate`: the requests that arrived in the same I/O phase join it); rows arriving
 * while a batch is being written form the next one. Rows that belong inside another
 * transaction (a state change and its audit row together) do not come here.
 */
export function createAuditBatcher(db: VideoDb, maxRows = auditBatchMaxRows) {
  let queue: Waiting[] = [];
  let writing = false;

  const write = async () => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxRows);
      queue = queue.slice(batch.length);
      try {
        await appendAuditRows(
          db,
          batch.map((w) => w.entry),
        );
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    writing = false;
  };

  return {
    /** Resolves once the row is committed; rejects when its batch could not be written. */
    append(entry: AuditEntry): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        if (writing) return;
        writing = true;
        setImmediate(() => void write());
      });
    },
  };
}

export type AuditBatcher = ReturnType<typeof createAuditBatcher>;

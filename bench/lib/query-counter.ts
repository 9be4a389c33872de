/**
 * Counts, in a bench child, the database round trips and transactions each HTTP request makes
 * (scenario cycles: where the round trips of start, join and end go). Every `pg` query is one
 * round trip; a transaction is a BEGIN … COMMIT/ROLLBACK, or one statement sent outside any
 * (autocommit); it "writes" when a statement in it inserts, updates or deletes (those commits
 * wait for the WAL flush). A query is put down to the HTTP request whose handling sent it
 * (AsyncLocalStorage, entered where the server hands the request over); work not started by a
 * request (the outbox relay, event consumers, timers) is counted as "background"; what a
 * request set going that runs after its answer was sent (the outbox relay it woke, the consumers
 * of the events it published) is counted under "<step>, after the answer". PostgreSQL only:
 * PGlite is not reached through `pg`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import pg from "pg";

export interface StepCounts {
  /** HTTP requests of this step (0 for background). */
  requests: number;
  round_trips: number;
  transactions: number;
  write_transactions: number;
  /** The statements (their first words) of the first request counted under this step, in order. */
  sample: string[];
}

interface Store {
  step: string;
  answered: boolean;
  /** This request is the one whose statements are the step's sample. */
  sampled: boolean;
}

const requestStep = new AsyncLocalStorage<Store>();
let counts = new Map<string, StepCounts>();
/** Per pg client: inside BEGIN … COMMIT, and whether that transaction wrote yet. */
const open = new WeakMap<object, { writes: boolean }>();
let installed = false;

function entry(step: string): StepCounts {
  let c = counts.get(step);
  if (!c) {
    c = { requests: 0, round_trips: 0, transactions: 0, write_transactions: 0, sample: [] };
    counts.set(step, c);
  }
  return c;
}

function textOf(config: unknown): string {
  if (typeof config === "string") return config;
  if (config && typeof config === "object" && "text" in config) return String((config as { text: unknown }).text);
  return "";
}

/** Wraps `pg.Client#query` once for this process. */
export function installQueryCounter(): void {
  if (installed) return;
  installed = true;
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: object, ...args: unknown[]) {
    const full = textOf(args[0]).trimStart();
    const text = full.slice(0, 12).toLowerCase();
    const store = requestStep.getStore();
    const c = entry(store ? (store.answered ? `${store.step}, after the answer` : store.step) : "background");
    c.round_trips++;
    if (store?.sampled && !store.answered) c.sample.push(full.replace(/\s+/g, " ").slice(0, 90));
    const writes = /^(insert|update|delete|with)/.test(text);
    const tx = open.get(this);
    if (text.startsWith("begin") || text.startsWith("start trans")) {
      open.set(this, { writes: false });
    } else if (text.startsWith("commit") || text.startsWith("rollback")) {
      c.transactions++;
      if (tx?.writes) c.write_transactions++;
      open.delete(this);
    } else if (tx) {
      if (writes) tx.writes = true;
    } else {
      c.transactions++;
      if (writes) c.write_transactions++;
    }
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

/**
 * Puts every request `server` handles from now on under a step named by `stepOf` (e.g. the
 * last segment of the URL); requests it names undefined are not counted apart.
 */
export function countRequestsOf(server: Server, stepOf: (method: string, url: string) => string | undefined): void {
  const listeners = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const step = stepOf(req.method ?? "GET", req.url ?? "/");
    if (step === undefined) {
      for (const l of listeners) l.call(server, req, res);
      return;
    }
    const counted = entry(step);
    counted.requests++;
    const store: Store = { step, answered: false, sampled: counted.requests === 1 };
    res.once("finish", () => {
      store.answered = true;
    });
    requestStep.run(store, () => {
      for (const l of listeners) l.call(server, req, res);
    });
  });
}

export function resetQueryCounts(): void {
  counts = new Map();
}

export function queryCounts(): Record<string, StepCounts> {
  return Object.fromEntries(counts);
}

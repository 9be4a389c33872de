import type { FastifyBaseLogger } from "fastify";
import type { VideoDb } from "../tables.ts";

/** How long proofs of life gather before one statement writes them all. */
export const PROOF_OF_LIFE_BATCH_MS = 250;
/** Attendees per statement (bound parameters stay far below PostgreSQL's 65,535). */
const PER_STATEMENT = 1_000;

/**
 * The signalling connections' proof of life (`attendance_intervals.last_seen_at`), written in
 * batches: every connection's frames say it is alive, and a write per connection on the relay
 * path would put a database round trip (on PGlite, time on this event loop) between frames.
 * Proofs queued within PROOF_OF_LIFE_BATCH_MS go out as one UPDATE, stamped with the earliest
 * time of the batch, so no interval is ever shown alive later than it was heard from.
 */
export class ProofOfLife {
  readonly #queued = new Map<string, Date>();
  #earliest: Date | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly db: VideoDb,
    private readonly log: FastifyBaseLogger,
    private readonly track: <T>(p: Promise<T>) => Promise<T>,
  ) {}

  /** `attendeeId`'s open interval was heard from at `at`. */
  heard(attendeeId: string, at: Date): void {
    if (this.#closed) return;
    this.#queued.set(attendeeId, at);
    if (!this.#earliest || at < this.#earliest) this.#earliest = at;
    this.#timer ??= setTimeout(() => this.#flush(), PROOF_OF_LIFE_BATCH_MS);
  }

  /** Shutdown: the leaves being recorded close the intervals; what is queued is not written. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#queued.clear();
  }

  #flush(): void {
    this.#timer = undefined;
    const ids = [...this.#queued.keys()];
    const at = this.#earliest;
    this.#queued.clear();
    this.#earliest = undefined;
    if (!at) return;
    for (let i = 0; i < ids.length; i += PER_STATEMENT) {
      const chunk = ids.slice(i, i + PER_STATEMENT);
      void this.track(
        this.db
          .updateTable("attendance_intervals")
          .set({ last_seen_at: at })
          .where("attendee_id", "in", chunk)
          .where("left_at", "is", null)
          .execute()
          .catch((err: Error) => this.log.warn({ err, attendees: chunk.length }, "could not record proof of life")),
      );
    }
  }
}

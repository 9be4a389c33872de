/** A background job run in passes: on a timer, on demand, never two at once. */
export interface PeriodicPass {
  /**
   * Runs a pass now; while one runs, asks for one more after it (so work written meanwhile
   * does not wait a whole interval) and returns the running one.
   */
  run(): Promise<number>;
  /** Starts the timer (and a first pass at once with `runNow`); does nothing once stopped. */
  start(runNow?: boolean): void;
  /** Stops the timer and waits for the pass in flight; no new pass starts afterwards. */
  stop(): Promise<void>;
  readonly stopped: boolean;
  /** The pass in flight, if any. */
  readonly inFlight: Promise<number> | undefined;
}

/**
 * The loop shared by the event outbox relay and the webhook worker. A failed pass is
 * reported through `onError` and counts as 0: the next tick tries again.
 */
export function periodicPass(
  pass: () => Promise<number>,
  options: { intervalMs: number; onError: (err: Error) => void },
): PeriodicPass {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;

  const run = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .catch((err: Error) => {
        options.onError(err);
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void run();
        }
      });
    return running;
  };

  return {
    run,
    start(runNow = false) {
      if (timer || stopped) return;
      timer = setInterval(() => void run(), options.intervalMs);
      timer.unref();
      if (runNow) void run();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      while (running) await running;
    },
    get stopped() {
      return stopped;
    },
    get inFlight() {
      return running;
    },
  };
}

/**
 * When the person last did something, in any tab of the app in this browser, for the automatic
 * logoff (features/auth/idle). Only times are shared, never tokens: the last activity is kept in
 * localStorage, whose `storage` event tells the other tabs, and survives a reload or a discarded
 * phone tab, so a tab reopened after the idle limit does not sign in again (restore-session.ts).
 */
const storageKey = "clinic.last-activity";
/** Writing localStorage on every mouse move would be wasteful: at most every 5 s (a forced mark always). */
const shareEveryMs = 5_000;

interface Stored {
  at: number;
  /** The idle limit in force when it was written, so a fresh page can judge it before any fetch. */
  idle_ms: number;
}

let lastAt = Date.now();
let lastShared = 0;
let idleMs: number | null = null;
let holds = 0;
const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    return null; // storage disabled (privacy settings): the logoff still works in this tab
  }
}

function share(now: number) {
  lastShared = now;
  if (idleMs === null) return;
  try {
    storage()?.setItem(storageKey, JSON.stringify({ at: lastAt, idle_ms: idleMs } satisfies Stored));
  } catch {
    // quota or disabled storage: other tabs just do not hear of it
  }
}

function readStored(): Stored | null {
  try {
    const raw = storage()?.getItem(storageKey);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<Stored>;
    return typeof value.at === "number" && typeof value.idle_ms === "number"
      ? { at: value.at, idle_ms: value.idle_ms }
      : null;
  } catch {
    return null;
  }
}

if (typeof window !== "undefined") {
  // Activity in another tab (the event fires only in the other tabs).
  window.addEventListener("storage", (event) => {
    if (event.key !== storageKey) return;
    const stored = readStored();
    if (stored && stored.at > lastAt) {
      lastAt = stored.at;
      for (const listener of listeners) listener();
    }
  });
}

export const activity = {
  lastAt: () => lastAt,
  /**
   * Something happened in this tab (a key, a touch, a connected call…). `force` (a sign-in,
   * "Stay signed in", a call ending) sets the time even if the clock went back, and shares it at once.
   */
  mark(now = Date.now(), force = false) {
    if (now <= lastAt && !force) return;
    lastAt = force ? now : Math.max(lastAt, now);
    if (force || now - lastShared >= shareEveryMs) share(now);
    for (const listener of listeners) listener();
  },
  /** The idle limit of the signed-in person (from the auth service's client config). */
  setIdleLimit(ms: number) {
    idleMs = ms;
    share(Date.now());
  },
  /**
   * While held (a call is connected), the person counts as active: a doctor in a consultation
   * does not touch the page. Returns the release.
   */
  hold(): () => void {
    holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      holds -= 1;
      activity.mark(Date.now(), true);
    };
  },
  held: () => holds > 0,
  /** Whether a page opened now finds the last sign-in idle past its limit (then it must not restore it). */
  idleOnLoad(now = Date.now()): boolean {
    const stored = readStored();
    return stored !== null && now - stored.at >= stored.idle_ms;
  },
  /** Signed out: nothing to judge any more; a new sign-in starts afresh. */
  forget(now = Date.now()) {
    lastAt = now;
    idleMs = null;
    try {
      storage()?.removeItem(storageKey);
    } catch {
      // nothing stored
    }
  },
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
};

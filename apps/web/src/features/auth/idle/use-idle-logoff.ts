import { useCallback, useEffect, useRef, useState } from "react";
import { activity } from "../../../lib/activity.ts";

/** How long before the logoff the warning shows. */
export const idleWarningMs = 60_000;
const tickMs = 1_000;
/** What counts as the person being there (plus the tab becoming visible, and a connected call). */
const activityEvents = ["pointerdown", "pointermove", "keydown", "touchstart", "wheel", "scroll"] as const;

/**
 * Automatic logoff (HIPAA §164.312(a)(2)(iii)): after `idleMs` without activity in any of the
 * app's tabs, `onIdle` runs (sign out with reason "idle"). From a minute before, `remainingMs`
 * counts down for the warning; then only `stay()` (the "Stay signed in" button) or activity in
 * another tab keeps the person signed in, not a stray mouse move over the warning. A connected
 * call holds activity (lib/activity.ts): a doctor in a consultation does not touch the page.
 */
export function useIdleLogoff(idleMs: number, onIdle: () => void): { remainingMs: number | null; stay: () => void } {
  const [remainingMs, setRemainingMs] = useState<number | null>(null);
  const warning = useRef(false);
  const done = useRef(false);
  const onIdleRef = useRef(onIdle);
  onIdleRef.current = onIdle;

  const check = useCallback(() => {
    if (done.current) return;
    const now = Date.now();
    if (activity.held()) activity.mark(now);
    const left = idleMs - (now - activity.lastAt());
    if (left <= 0) {
      done.current = true;
      warning.current = false;
      setRemainingMs(null);
      onIdleRef.current();
      return;
    }
    warning.current = left <= idleWarningMs;
    setRemainingMs(warning.current ? left : null);
  }, [idleMs]);

  useEffect(() => {
    done.current = false;
    activity.setIdleLimit(idleMs);
    const onActivity = () => {
      // A computer waking from sleep past the limit: the first touch must not count as activity.
      check();
      if (!warning.current && !done.current) activity.mark();
    };
    const onVisibility = () => {
      if (document.visibilityState === "visible") onActivity();
    };
    for (const name of activityEvents) window.addEventListener(name, onActivity, { passive: true, capture: true });
    document.addEventListener("visibilitychange", onVisibility);
    const unsubscribe = activity.subscribe(check);
    const timer = setInterval(check, tickMs);
    check();
    return () => {
      for (const name of activityEvents) window.removeEventListener(name, onActivity, { capture: true });
      document.removeEventListener("visibilitychange", onVisibility);
      unsubscribe();
      clearInterval(timer);
    };
  }, [idleMs, check]);

  const stay = useCallback(() => {
    warning.current = false;
    activity.mark(Date.now(), true);
    check();
  }, [check]);

  return { remainingMs, stay };
}

/** 0:59, 1:00 — minutes and seconds left, rounded up (it reaches 0:00 as the logoff happens). */
export function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

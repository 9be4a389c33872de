import { useQuery } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { clientConfigDefaults, clientConfigQueryOptions } from "./client-config.ts";

let current = clientConfigDefaults.clinic_time_zone;
const listeners = new Set<() => void>();

/**
 * The clinic's time zone (auth config CLINIC_TIME_ZONE, served by GET /api/auth/client-config),
 * the auth service's default (UTC) until it is known. Held here, outside React, so that every
 * formatter in format.ts uses it without each screen passing it down; the signed-in layout
 * waits for the config before it renders a screen (useClinicTimeZone().ready).
 */
export const clinicTimeZone = {
  get: () => current,
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Sets the zone (tests, and the hook below); invalid names are ignored. */
  set(zone: string) {
    if (!adopt(zone)) return;
    for (const listener of listeners) listener();
  },
};

/** Takes `zone` if it is a zone this browser knows and differs; says whether it changed. */
function adopt(zone: string): boolean {
  if (zone === current) return false;
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
  } catch {
    return false;
  }
  current = zone;
  return true;
}

/**
 * The clinic's zone, for display and for reading what is typed into a date picker, and whether
 * it is settled: `ready` once the config answered or failed (then the default, UTC, is used —
 * and every time says so, so nothing is ever shown in an unnamed zone).
 */
export function useClinicTimeZone(): { zone: string; ready: boolean } {
  const config = useQuery(clientConfigQueryOptions());
  const answered = config.data?.clinic_time_zone;
  // Taken during render (without notifying), so the screens rendered in this same pass
  // already format in it; the subscribers hear of it right after.
  if (answered !== undefined) adopt(answered);
  useEffect(() => {
    // Harmless when nothing changed: subscribers compare the value.
    if (answered !== undefined) for (const listener of listeners) listener();
  }, [answered]);
  const zone = useSyncExternalStore(clinicTimeZone.subscribe, clinicTimeZone.get);
  // isFetched stays true once answered: a later refetch (a new screen mounting after a failure)
  // must not take the screens away again.
  return { zone, ready: config.isFetched || config.isSuccess };
}

import { useEffect, useState } from "react";

/** The current time, re-read every `everyMs` so time-based UI (join windows) updates by itself. */
export function useNow(everyMs = 15_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

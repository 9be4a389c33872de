/** Parsed JSON log lines (pino), for counting effects the services report. */
export function logEntries(lines: string[]): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  for (const line of lines) {
    try {
      entries.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line (e.g. a stack trace on stderr)
    }
  }
  return entries;
}

/** How often the appointments service applied (`duplicate: false`) or skipped an event. */
export function eventProcessing(lines: string[], eventId: string) {
  const processed = logEntries(lines).filter((e) => e.msg === "event processed" && e.eventId === eventId);
  return {
    applied: processed.filter((e) => e.duplicate === false).length,
    duplicates: processed.filter((e) => e.duplicate === true).length,
  };
}

import type { CallQualitySummary } from "@clinic/contracts";
import { useEffect } from "react";
import { videoClient } from "../../../lib/api-client.ts";
import type { CallEngine } from "../media/call-state.ts";

/**
 * The quality record (issue 12): this side's call-stats summary, sent once at the end.
 * `keepalive` lets it finish while the page goes away (closing the tab, navigating off), and
 * unlike sendBeacon it carries the Authorization header. Best effort: a failure is not retried.
 */
export async function reportCallQuality(sessionId: string, summary: CallQualitySummary): Promise<void> {
  await videoClient.POST("/api/video/sessions/{session_id}/quality", {
    params: { path: { session_id: sessionId } },
    body: summary,
    keepalive: true,
  });
}

/**
 * Sends the engine's summary when the call ends for this window: the other side ended it, the
 * doctor removed this person, this person left or ended it (the call screen goes away), or the
 * page is closed. Once per engine.
 */
export function useCallQualityReport(sessionId: string, engine: CallEngine | null): void {
  useEffect(() => {
    if (!engine?.qualitySummary) return;
    let sent = false;
    const send = () => {
      const summary = engine.qualitySummary?.() ?? null;
      if (sent || !summary) return;
      sent = true;
      void reportCallQuality(sessionId, summary).catch(() => undefined);
    };
    const unsubscribe = engine.subscribe(() => {
      // A removed person's side is reported too; a replaced window is not (the newer one reports that side).
      const { phase } = engine.getState();
      if (phase === "ended" || phase === "removed") send();
    });
    window.addEventListener("pagehide", send);
    return () => {
      unsubscribe();
      window.removeEventListener("pagehide", send);
      send();
    };
  }, [sessionId, engine]);
}

/**
 * The call screen's chunk (WebRTC engine, signalling, call controls, consent step). The router
 * renders it for `/sessions/:id/call`; the appointment pages call `preloadCallScreen()` as soon
 * as a call can start (Start Video or Join enabled), so the click does not wait for it.
 */
type CallScreenModule = typeof import("./session-call.tsx");

let loading: Promise<CallScreenModule> | undefined;

/** The chunk, fetched once (a failed fetch is tried again on the next call). */
export function loadCallScreen(): Promise<CallScreenModule> {
  if (!loading) {
    loading = import("./session-call.tsx").catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
  }
  return loading;
}

/** Fetches the call screen's chunk in the background. */
export function preloadCallScreen(): void {
  loadCallScreen().catch(() => undefined);
}

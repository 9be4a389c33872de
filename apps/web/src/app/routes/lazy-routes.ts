/**
 * The call screen's chunk (WebRTC engine, signalling, call controls). The router loads it for
 * `/sessions/:id/call`; the appointment pages call `preloadCallScreen()` as soon as a call can
 * start (Start Video or Join enabled), so the click does not wait for the download.
 */
export const loadCallScreen = () => import("./session-call.tsx");

let preloading: Promise<unknown> | undefined;

/** Fetches the call screen's chunk once, in the background; a failed fetch is tried again next time. */
export function preloadCallScreen(): Promise<unknown> {
  if (!preloading) {
    preloading = loadCallScreen().catch(() => {
      preloading = undefined;
    });
  }
  return preloading;
}

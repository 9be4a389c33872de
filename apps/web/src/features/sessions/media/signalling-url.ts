import { SIGNAL_PROBE_PATH } from "@clinic/contracts/socket-paths";

/**
 * The signalling URL from start/join may be absolute (ws://, wss://, http(s)://) or a path.
 * A path of the video service (`/api/video/...`) is reached through the gateway's `/video`
 * prefix, on the page's own origin. The join token rides in the query: browsers cannot set
 * headers on a WebSocket (contracts/signalling.ts).
 */
export function signallingUrl(signalingUrl: string, joinToken: string | null, page: { href: string }): string {
  const url = socketUrl(signalingUrl, page);
  // null: the socket opened before the join answered, its first frame carries the token (SIGNAL_AUTH_TIMEOUT_MS).
  if (joinToken !== null) url.searchParams.set("token", joinToken);
  return url.toString();
}

/** The pre-call check's WebSocket probe, reached the same way as signalling (through the gateway). */
export function signalProbeUrl(page: { href: string }): string {
  return socketUrl(SIGNAL_PROBE_PATH, page).toString();
}

function socketUrl(signalingUrl: string, page: { href: string }): URL {
  const path = signalingUrl.startsWith("/api/video/") ? `/video${signalingUrl}` : signalingUrl;
  const url = new URL(path, page.href);
  if (url.protocol === "http:") url.protocol = "ws:";
  if (url.protocol === "https:") url.protocol = "wss:";
  return url;
}

/**
 * The signalling URL from start/join may be absolute (ws://, wss://, http(s)://) or a path.
 * A path of the video service (`/api/video/...`) is reached through the gateway's `/video`
 * prefix, on the page's own origin. The join token rides in the query: browsers cannot set
 * headers on a WebSocket (contracts/signalling.ts).
 */
export function signallingUrl(signalingUrl: string, joinToken: string, page: { href: string }): string {
  const path = signalingUrl.startsWith("/api/video/") ? `/video${signalingUrl}` : signalingUrl;
  const url = new URL(path, page.href);
  if (url.protocol === "http:") url.protocol = "ws:";
  if (url.protocol === "https:") url.protocol = "wss:";
  url.searchParams.set("token", joinToken);
  return url.toString();
}

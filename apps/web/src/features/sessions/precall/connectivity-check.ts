import { type IceServer, SIGNAL_PROBE_OK } from "@clinic/contracts";
import { signalProbeUrl } from "../media/signalling-url.ts";

/** What the connectivity service answers (GET /api/video/connectivity). */
export interface ConnectivityConfig {
  ice_servers: IceServer[];
  ice_transport_policy: RTCIceTransportPolicy;
  relay_configured: boolean;
}

export type ConnectivityVerdict =
  /** The video service answered; the relay (when configured) gave an address. */
  | { kind: "ready"; relayTested: boolean }
  /** The video service could not be reached at all: no call can start. */
  | { kind: "unreachable" }
  /** The video service answered over HTTP but no WebSocket got through: the call's real-time connection is blocked. */
  | { kind: "websocket-blocked" }
  /** The video service answered but no relay allocation: calls may fail behind strict firewalls. */
  | { kind: "relay-unreachable"; relayOnly: boolean };

/** How long a relay allocation may take before it counts as unreachable. */
export const RELAY_TIMEOUT_MS = 6_000;
/** How long the signalling probe may take to answer `probe.ok`. */
export const PROBE_TIMEOUT_MS = 5_000;

const turnOnly = (servers: IceServer[]) =>
  servers.flatMap((server) => {
    const urls = (Array.isArray(server.urls) ? server.urls : [server.urls]).filter((u) => /^turns?:/.test(u));
    return urls.length > 0 ? [{ ...server, urls }] : [];
  });

/**
 * Asks the TURN relay for an allocation: a peer connection that may only use relayed
 * addresses gathers candidates; a `relay` candidate means the relay answered and accepted the
 * credential. Nothing is sent to anybody; the connection is closed at once.
 */
export async function relayReachable(servers: IceServer[], timeoutMs = RELAY_TIMEOUT_MS): Promise<boolean> {
  const iceServers = turnOnly(servers);
  if (iceServers.length === 0) return false;
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: "relay" });
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      pc.onicecandidate = (event) => {
        if (event.candidate && / typ relay /.test(` ${event.candidate.candidate} `)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === "complete") {
          clearTimeout(timer);
          // Gathering ended: a relay candidate, if any, came before this.
          setTimeout(() => resolve(false), 0);
        }
      };
      pc.createDataChannel("connectivity-check");
      void pc
        .createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch(() => {
          clearTimeout(timer);
          resolve(false);
        });
    });
  } finally {
    pc.onicecandidate = null;
    pc.onicegatheringstatechange = null;
    pc.close();
  }
}

/**
 * Opens the video service's probe WebSocket (through the gateway, as signalling is): `ok` once
 * it says `probe.ok`; `blocked` when no WebSocket got through (a proxy or firewall refusing
 * upgrades, or nothing within the timeout); `refused` when the service itself turned it away
 * after the upgrade (too many probes, signalling unavailable).
 */
export function signallingReachable(
  url = signalProbeUrl(window.location),
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<"ok" | "blocked" | "refused"> {
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      resolve("blocked");
      return;
    }
    let opened = false;
    const done = (answer: "ok" | "blocked" | "refused") => {
      clearTimeout(timer);
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close();
      resolve(answer);
    };
    const timer = setTimeout(() => done("blocked"), timeoutMs);
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (event) => {
      if (typeof event.data === "string" && event.data === JSON.stringify(SIGNAL_PROBE_OK)) done("ok");
    };
    ws.onerror = () => {
      if (!opened) done("blocked");
    };
    ws.onclose = () => done(opened ? "refused" : "blocked");
  });
}

/**
 * The whole check: the video service through the gateway over HTTP, then, side by side, a
 * WebSocket through the gateway (a network that blocks upgrades would pass the first and fail
 * the call) and, when configured, the relay.
 */
export async function checkConnectivity(
  fetchConfig: () => Promise<ConnectivityConfig>,
  timeoutMs = RELAY_TIMEOUT_MS,
  probeSignalling: () => Promise<"ok" | "blocked" | "refused"> = () => signallingReachable(),
): Promise<ConnectivityVerdict> {
  let config: ConnectivityConfig;
  try {
    config = await fetchConfig();
  } catch {
    return { kind: "unreachable" };
  }
  const relayOnly = config.ice_transport_policy === "relay";
  const relay = !config.relay_configured
    ? Promise.resolve(null)
    : typeof RTCPeerConnection === "undefined"
      ? Promise.resolve(false)
      : relayReachable(config.ice_servers, timeoutMs);
  const [signalling, relayed] = await Promise.all([probeSignalling(), relay]);
  if (signalling === "blocked") return { kind: "websocket-blocked" };
  if (signalling === "refused") return { kind: "unreachable" };
  if (relayed === null) return { kind: "ready", relayTested: false };
  return relayed ? { kind: "ready", relayTested: true } : { kind: "relay-unreachable", relayOnly };
}

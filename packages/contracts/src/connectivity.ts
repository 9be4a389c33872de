import { type Static, Type } from "typebox";
import { IceServer, IceTransportPolicy, MediaProviderName } from "./video.ts";

/**
 * GET /api/video/connectivity: what the pre-call check needs to test the network before a call
 * (issue 12). Answering at all proves the video service is reachable through the gateway;
 * `ice_servers` carries, with TURN configured, a short-lived credential of the caller's own so
 * the browser can try a relay allocation.
 */
export const ConnectivityResponse = Type.Object({
  media_provider: MediaProviderName,
  ice_servers: Type.Array(IceServer, {
    description:
      "The configured STUN/TURN servers plus, with TURN_URLS (embedded), a TURN entry for this check only (username `<expiry unix s>:check-<n>`, n the id of the check's audit row), valid at most 60 s. Empty under Chime.",
  }),
  ice_transport_policy: IceTransportPolicy,
  relay_configured: Type.Boolean({
    description:
      "True when calls can use the clinic's TURN relay (TURN_URLS set, embedded): the check then tries an allocation",
  }),
});
export type ConnectivityResponse = Static<typeof ConnectivityResponse>;

/**
 * `GET /api/video/signal-probe` (WebSocket): the pre-call check's proof that a WebSocket
 * upgrade gets through the network and the gateway. No token and no audit row; limited per
 * client address like signalling connects. Once open the server sends this one frame and
 * closes with 1000.
 */
export { SIGNAL_PROBE_PATH } from "./socket-paths.ts";
export const SIGNAL_PROBE_OK = { type: "probe.ok" } as const;
/** GET /api/video/connectivity per user per minute (each answer mints a TURN credential). */
export const CONNECTIVITY_CHECKS_PER_MINUTE = 30;

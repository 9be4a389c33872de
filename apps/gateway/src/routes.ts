/**
 * The gateway's route table: one row per upstream service. The gateway app builds its
 * proxies from it and `deploy/kong/kong.yml` is checked against it by a test, so the
 * Node gateway and Kong always expose the same paths.
 */
export interface UpstreamRoute {
  /** Short name used in logs, `/health` and config errors. */
  readonly name: "auth" | "appointments" | "video";
  /** Public path prefix; stripped before forwarding (`/video/api/x` → `/api/x`). */
  readonly prefix: `/${string}`;
  /** Environment variable holding the upstream's base URL. */
  readonly urlVariable: "AUTH_URL" | "APPOINTMENTS_URL" | "VIDEO_URL";
  /** Where the service listens when run locally (`npm start`). */
  readonly defaultUrl: string;
  /** The matching Kong service: its name and the URL it points at inside a container network. */
  readonly kong: { readonly service: string; readonly url: string };
  /** WebSocket upgrades are passed through (signalling). */
  readonly websocket: boolean;
}

export const upstreamRoutes: readonly UpstreamRoute[] = [
  {
    name: "auth",
    prefix: "/auth",
    urlVariable: "AUTH_URL",
    defaultUrl: "http://127.0.0.1:8080",
    kong: { service: "auth-service", url: "http://auth-service:8080" },
    websocket: false,
  },
  {
    name: "appointments",
    prefix: "/appointments",
    urlVariable: "APPOINTMENTS_URL",
    defaultUrl: "http://127.0.0.1:8082",
    kong: { service: "appointments-service", url: "http://appointments-service:8082" },
    websocket: false,
  },
  {
    name: "video",
    prefix: "/video",
    urlVariable: "VIDEO_URL",
    defaultUrl: "http://127.0.0.1:8086",
    kong: { service: "video-consultation-service", url: "http://video-service:8086" },
    websocket: true,
  },
];

/** Paths below a prefix that belong to the service itself (everything else may be the web app's). */
export const servicePathPattern = /^\/(api|docs|health|livez|readyz)(\/|$|\?)/;

import { SIGNAL_PROBE_OK, SignalCloseCodes } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { WebSocket } from "ws";
import { addressKey, ConnectLimiter } from "./connect-limiter.ts";
import type { ConnectCounter } from "./signal-fanout.ts";
import type { SignalHub } from "./signal-hub.ts";

export interface SignalProbeOptions {
  hub: SignalHub;
  now: () => Date;
  /** SIGNAL_CONNECTS_PER_MINUTE: probes per client address (their own count, cluster-wide with replicas). */
  connectsPerMinute?: number;
}

/**
 * `GET /signal-probe` (WebSocket), the pre-call check's signalling test: a proxy or firewall
 * that refuses WebSocket upgrades would pass an HTTP request and then fail the call. Takes no
 * token and writes nothing (no session is named, there is nobody to audit); counted per client
 * address like signalling connects, so it cannot be used to flood. Its own count: checks do not
 * use up the connects a call needs behind a shared address.
 */
export function signalProbeRoutes(options: SignalProbeOptions) {
  const perMinute = options.connectsPerMinute ?? 60;
  const clock = () => options.now().getTime();
  const { hub } = options;
  const counter: ConnectCounter = hub.fanout
    ? hub.fanout.connectLimiter("probe", perMinute, clock)
    : (() => {
        const local = new ConnectLimiter(perMinute, clock);
        return { take: async (key: string) => local.take(key) };
      })();

  return async function register(app: App) {
    app.get(
      "/signal-probe",
      {
        websocket: true,
        // Hidden from the OpenAPI document by @fastify/websocket, as connectSignalling.
        schema: {
          operationId: "probeSignalling",
          tags: ["signalling"],
          summary: "WebSocket reachability probe of the pre-call check: sends {type: probe.ok} and closes with 1000",
          security: [],
        },
      },
      (socket: WebSocket, request) => {
        const log = request.log;
        socket.on("error", (err) => log.warn({ err }, "signal probe socket error"));
        void (async () => {
          // As a signalling connect: Redis unreachable means calls cannot connect either.
          if (!hub.fanoutUp) return socket.close(SignalCloseCodes.unavailable, "signalling temporarily unavailable");
          const take = await counter.take(addressKey(request.ip)).catch(() => null);
          if (!take) return socket.close(SignalCloseCodes.unavailable, "signalling temporarily unavailable");
          if (!take.allowed) {
            if (take.firstRefusal) log.warn({ perMinute }, "signal probes over the limit refused");
            return socket.close(SignalCloseCodes.tryAgainLater, "too many probes, try again later");
          }
          socket.send(JSON.stringify(SIGNAL_PROBE_OK));
          socket.close(1000, "probe done");
        })().catch((err: Error) => {
          log.error({ err }, "signal probe failed");
          socket.close(1011, "internal error");
        });
      },
    );
  };
}

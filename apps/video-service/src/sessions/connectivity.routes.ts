import { CONNECTIVITY_CHECKS_PER_MINUTE, ConnectivityResponse, errorResponses } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import { CountersUnavailable, TooManyConnectivityChecks } from "../errors.ts";
import { ConnectLimiter } from "../signalling/connect-limiter.ts";
import type { ConnectCounter, SignalFanout } from "../signalling/signal-fanout.ts";
import { getConnectivity } from "./connectivity.service.ts";
import { requireLiveInvite } from "./invite-check.ts";
import type { Actor } from "./session-access.ts";
import type { SessionsContext } from "./sessions-context.ts";

const actorOf = (request: FastifyRequest): Actor => ({ user: request.user, requestId: String(request.id) });

export interface ConnectivityLimits {
  /** With replicas (REDIS_URL) the cluster's counts, else this process's. */
  fanout?: SignalFanout | undefined;
  perMinute?: number;
}

/** The pre-call connectivity check (issue 12): for everyone signed in, an invite holder too. */
export function connectivityRoutes(ctx: SessionsContext, limits: ConnectivityLimits = {}) {
  // Every answer mints a TURN credential and writes an audit row: bounded per user.
  const perMinute = limits.perMinute ?? CONNECTIVITY_CHECKS_PER_MINUTE;
  const clock = () => ctx.now().getTime();
  const perUser: ConnectCounter = limits.fanout
    ? limits.fanout.connectLimiter("connectivity", perMinute, clock)
    : (() => {
        const local = new ConnectLimiter(perMinute, clock);
        return { take: async (key: string) => local.take(key) };
      })();
  // The bucket refills one check every 60/perMinute seconds.
  const retryAfter = Math.ceil(60 / perMinute);
  return async function register(app: App) {
    app.addHook("onRequest", app.authenticate);
    app.get(
      "/connectivity",
      {
        config: { allowInvite: true },
        preHandler: requireLiveInvite(ctx),
        schema: {
          operationId: "getConnectivity",
          tags: ["sessions"],
          summary: "ICE servers for the pre-call connectivity check (a short-lived TURN credential when configured)",
          description: `429 \`TOO_MANY_CONNECTIVITY_CHECKS\` (with Retry-After) past ${perMinute} checks a minute per user.`,
          response: { 200: ConnectivityResponse, ...errorResponses(401, 403, 429, 503) },
        },
      },
      async (request, reply) => {
        const take = await perUser.take(request.user.id).catch(() => null);
        if (!take) throw new CountersUnavailable();
        if (!take.allowed) {
          if (take.firstRefusal) request.log.warn({ perMinute }, "connectivity checks over the limit refused");
          reply.header("retry-after", String(retryAfter));
          throw new TooManyConnectivityChecks(retryAfter);
        }
        // A fresh credential on every answer: never cached by a browser or a proxy.
        reply.header("cache-control", "no-store");
        return getConnectivity(ctx, actorOf(request));
      },
    );
  };
}

import type { ConnectivityResponse } from "@clinic/contracts";
import { turnIceServer } from "../meetings/embedded/turn-credentials.ts";
import type { Actor } from "./session-access.ts";
import type { SessionsContext } from "./sessions-context.ts";

/** A check's TURN credential only needs to last one allocation attempt. */
export const CONNECTIVITY_TURN_TTL_S = 60;

/**
 * GET /connectivity: the ICE configuration a call would get, for the browser's pre-call check.
 * The TURN entry (embedded, TURN configured) is the caller's own and short-lived; its username
 * names the check (`check-<audit row id>`), not the person, since coturn logs usernames: the
 * check's audit row says who ran it.
 */
export async function getConnectivity(
  ctx: Pick<SessionsContext, "access" | "provider" | "turn" | "config" | "now">,
  actor: Actor,
): Promise<ConnectivityResponse> {
  const checkId = await ctx.access.checkConnectivity(actor);
  const embedded = ctx.provider.name === "embedded";
  const turn =
    embedded && ctx.turn
      ? [
          turnIceServer(
            { ...ctx.turn, ttlSeconds: Math.min(ctx.turn.ttlSeconds, CONNECTIVITY_TURN_TTL_S) },
            `check-${checkId}`,
            ctx.now(),
          ),
        ]
      : [];
  return {
    media_provider: ctx.provider.name,
    ice_servers: [...ctx.provider.iceServers, ...turn],
    ice_transport_policy: embedded ? ctx.config.ICE_TRANSPORT_POLICY : "all",
    relay_configured: turn.length > 0,
  };
}

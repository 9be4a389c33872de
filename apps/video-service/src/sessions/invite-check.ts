import { bearerToken } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import type { SessionsContext } from "./sessions-context.ts";

/**
 * preHandler of the routes that serve invite holders (`config: { allowInvite: true }`):
 * their invite must still be live. The appointments service decides it (revoked, or past the
 * join window as the appointment stands now: 403, on its audit record) when asked for the
 * invite's appointment with the holder's own token. Which session the invite may touch is
 * session-access.ts's rule. Everyone else passes untouched.
 */
export function requireLiveInvite(ctx: Pick<SessionsContext, "appointments">) {
  return async (request: FastifyRequest): Promise<void> => {
    const invite = request.user?.invite;
    if (!invite) return;
    await ctx.appointments.get(invite.appointment_id, bearerToken(request));
  };
}

import { ErrorBody, InviteTokenRequest, InviteTokenResponse } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import { TooManyInviteAttempts } from "./appointments.client.ts";
import type { InviteTokenService } from "./invite-token.ts";

export interface InviteTokenRoutesOptions {
  invites: InviteTokenService;
  /** Exchanges per client address within the window (LOGIN_RATE_LIMIT_ADDRESS_MAX, LOGIN_RATE_LIMIT_WINDOW_SEC). */
  rateLimit: { maxPerAddress: number; windowSeconds: number };
}

/** Token responses are credentials: never cached by browsers or proxies (RFC 6749 §5.1). */
const noStore = { "cache-control": "no-store", pragma: "no-cache" };

/** `POST /invite-token`: public (the invite link's token is the credential), limited per address. */
export async function inviteTokenRoutes(app: App, { invites, rateLimit }: InviteTokenRoutesOptions): Promise<void> {
  const perAddress = app.createRateLimit({
    max: rateLimit.maxPerAddress,
    timeWindow: rateLimit.windowSeconds * 1000,
    keyGenerator: (request) => `invite-address:${request.ip}`,
  });

  app.post(
    "/invite-token",
    {
      // Before the body is read: malformed attempts count too.
      onRequest: async (request, reply) => {
        const limit = await perAddress(request);
        if (!limit.isAllowed && limit.isExceeded) {
          reply.header("retry-after", String(limit.ttlInSeconds));
          throw new TooManyInviteAttempts(limit.ttlInSeconds);
        }
      },
      schema: {
        operationId: "exchangeInviteToken",
        tags: ["tokens"],
        summary: "Exchange an invite link's token for an access token to that one consultation",
        description:
          "No account and no refresh token: the token (scope `invite`) opens only the invite's appointment and its video call, and expires with the invite at the latest. 404 `INVITE_NOT_FOUND`; 410 `INVITE_REVOKED`, `INVITE_EXPIRED`, `CONSULTATION_ENDED`, `APPOINTMENT_CANCELLED`; 503 `APPOINTMENTS_UNAVAILABLE`.",
        security: [],
        body: InviteTokenRequest,
        response: {
          200: InviteTokenResponse,
          400: ErrorBody,
          404: ErrorBody,
          410: ErrorBody,
          429: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const body = await invites.exchange(request.body.invite_token, {
        clientAddress: request.ip,
        requestId: request.id,
      });
      return reply.headers(noStore).send(body);
    },
  );
}

import { ResolvedInvite } from "@clinic/contracts";
import { AppError } from "@clinic/platform";
import { Value } from "typebox/value";

/**
 * Asks the appointments service what an invite token opens (`POST
 * /api/appointments/invites/resolve`, public there: the token is the credential). The
 * client's address goes along as X-Forwarded-For, so the appointments service's per-address
 * limit counts the person, not this service (believed where its TRUST_PROXY trusts us, as in
 * every deployment shape of the repository). One HTTP client: Node's global fetch.
 */
export interface InviteResolver {
  resolve(token: string, caller: { clientAddress: string; requestId: string }): Promise<ResolvedInvite>;
}

export interface InviteResolverOptions {
  /** APPOINTMENTS_URL, or a function giving it (the one-process stack knows it only later). */
  baseUrl: string | (() => string);
  timeoutMs: number;
}

/** What the appointments service says of an invite that does not open anything, passed on as it is. */
const passedThrough: Record<number, Record<string, string>> = {
  404: { INVITE_NOT_FOUND: "This invite link is not valid; check that it was copied completely" },
  410: {
    INVITE_REVOKED: "This invite link has been withdrawn by the clinic",
    INVITE_EXPIRED: "This invite link has expired",
    CONSULTATION_ENDED: "This consultation has ended",
    APPOINTMENT_CANCELLED: "This appointment has been cancelled",
  },
};

export class AppointmentsUnavailable extends AppError {
  constructor() {
    super(503, "APPOINTMENTS_UNAVAILABLE", "Invite links cannot be checked right now; try again shortly");
  }
}

export class TooManyInviteAttempts extends AppError {
  constructor(readonly retryAfter: number) {
    super(429, "RATE_LIMITED", `Too many invite links tried; try again in ${retryAfter} seconds`, {
      retry_after: retryAfter,
    });
  }
}

export function createInviteResolver(options: InviteResolverOptions): InviteResolver {
  const base = () => (typeof options.baseUrl === "function" ? options.baseUrl() : options.baseUrl).replace(/\/$/, "");
  return {
    async resolve(token, caller) {
      let response: Response;
      try {
        response = await fetch(`${base()}/api/appointments/invites/resolve`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json",
            "x-forwarded-for": caller.clientAddress,
            "x-request-id": caller.requestId,
          },
          body: JSON.stringify({ token }),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch {
        // Timeout, refused connection, DNS: all mean "not answering now".
        throw new AppointmentsUnavailable();
      }
      const body: unknown = await response.json().catch(() => undefined);
      if (response.ok) {
        if (!Value.Check(ResolvedInvite, body)) throw new AppointmentsUnavailable();
        return body;
      }
      const code = (body as { code?: unknown } | undefined)?.code;
      const known = passedThrough[response.status];
      if (known) {
        // Our own sentence for a code we know; anything else from a 404/410 is "not found".
        const message = typeof code === "string" ? known[code] : undefined;
        if (message) throw new AppError(response.status, code as string, message);
        throw new AppError(404, "INVITE_NOT_FOUND", passedThrough[404]?.INVITE_NOT_FOUND ?? "Invite not found");
      }
      if (response.status === 429) {
        const retryAfter = Number(response.headers.get("retry-after")) || 60;
        throw new TooManyInviteAttempts(retryAfter);
      }
      // A 400 cannot come from a token that passed our own schema; 5xx, 401, anything else:
      // the appointments service is not answering as it should.
      throw new AppointmentsUnavailable();
    },
  };
}

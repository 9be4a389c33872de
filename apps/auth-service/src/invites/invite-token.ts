import { randomUUID } from "node:crypto";
import type { InviteTokenResponse, ResolvedInvite } from "@clinic/contracts";
import { inviteScope } from "@clinic/platform";
import { SignJWT } from "jose";
import { type SigningKeys, signingAlgorithm } from "../keys/signing-key.ts";
import type { AccessTokenSettings } from "../tokens/access-token.ts";
import type { InviteResolver } from "./appointments.client.ts";

export interface InviteTokenServiceOptions {
  keys: SigningKeys;
  /** The same issuer, audience and lifetime as every access token. */
  access: AccessTokenSettings;
  resolver: InviteResolver;
  now: () => Date;
}

/**
 * `POST /api/auth/invite-token`: an invite link's token for an access token that opens that
 * one consultation. Signed with the service's own keys (verified like any access token) and
 * marked `scope: "invite"` with its appointment and invite, which every service refuses
 * except on the few routes of the patient's call (packages/platform/src/auth.ts). It expires
 * with the access TTL or the invite, whichever comes first; there is no refresh token: the
 * page exchanges the link again.
 */
export function createInviteTokenService({ keys, access, resolver, now }: InviteTokenServiceOptions) {
  return {
    async exchange(
      inviteToken: string,
      caller: { clientAddress: string; requestId: string },
    ): Promise<InviteTokenResponse> {
      const invite = await resolver.resolve(inviteToken, caller);
      const issuedAt = now();
      const iat = Math.floor(issuedAt.getTime() / 1000);
      const exp = Math.min(iat + access.ttlSeconds, Math.floor(new Date(invite.expires_at).getTime() / 1000));
      const key = await keys.active();
      const accessToken = await new SignJWT({
        role: "PATIENT",
        name: invite.patient_name,
        email: "",
        clinic_id: invite.clinic_id,
        scope: inviteScope,
        appointment_id: invite.appointment_id,
        invite_id: invite.invite_id,
        // When the invite was made: a person the doctor removed from a call rejoins only with a newer one.
        ...(invite.issued_at ? { invite_issued_at: invite.issued_at } : {}),
      })
        .setProtectedHeader({ alg: signingAlgorithm, kid: key.kid, typ: "JWT" })
        .setSubject(invite.patient_id)
        .setIssuer(access.issuer)
        .setAudience(access.audience)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(key.privateKey);
      return {
        access_token: accessToken,
        token_type: "Bearer",
        expires_in: Math.max(0, exp - iat),
        user: {
          id: invite.patient_id,
          role: "PATIENT",
          name: invite.patient_name,
          email: "",
          clinic_id: invite.clinic_id,
        },
        invite: summary(invite),
      };
    },
  };
}

function summary(invite: ResolvedInvite): InviteTokenResponse["invite"] {
  return {
    appointment_id: invite.appointment_id,
    doctor_name: invite.doctor_name,
    start_time: invite.start_time,
    duration_minutes: invite.duration_minutes,
    status: invite.status,
    session_id: invite.session_id,
    expires_at: invite.expires_at,
  };
}

export type InviteTokenService = ReturnType<typeof createInviteTokenService>;

import { randomUUID } from "node:crypto";
import type { User } from "@clinic/contracts";
import { SignJWT } from "jose";
import { type ActiveKey, signingAlgorithm } from "../keys/signing-key.ts";

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** The access token: who (sub, role, name, email, clinic_id), for whom (iss, aud), until when. */
export function signAccessToken(key: ActiveKey, settings: AccessTokenSettings, user: User, now: Date) {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: user.role, name: user.name, email: user.email, clinic_id: user.clinic_id })
    .setProtectedHeader({ alg: signingAlgorithm, kid: key.kid, typ: "JWT" })
    .setSubject(user.id)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + settings.ttlSeconds)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

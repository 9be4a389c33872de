import { randomUUID } from "node:crypto";
import { generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from "jose";

/**
 * Join tokens of the embedded provider: short-lived EdDSA JWTs signed by the video service
 * with its own key (never the auth service's), bound to one attendee of one meeting of one
 * session. The signalling endpoint accepts nothing else.
 */
export interface JoinTokenClaims {
  attendee_id: string;
  meeting_id: string;
  session_id: string;
  user_id: string;
}

export interface JoinTokens {
  issue(claims: JoinTokenClaims): Promise<string>;
  /** Throws when the token is malformed, badly signed, expired or not a join token. */
  verify(token: string): Promise<JoinTokenClaims>;
}

const issuer = "clinic-video";
const audience = "clinic-video-signalling";

export interface JoinTokenOptions {
  /** Ed25519 private JWK as JSON (all replicas must share it); unset → a fresh key per process. */
  privateJwk?: string | undefined;
  ttlSeconds: number;
}

export async function createJoinTokens(options: JoinTokenOptions): Promise<JoinTokens> {
  const { privateKey, publicKey } = options.privateJwk
    ? await importKeys(options.privateJwk)
    : await generateKeyPair("EdDSA", { crv: "Ed25519" });
  return {
    issue: (claims) =>
      new SignJWT({ mid: claims.meeting_id, sid: claims.session_id, uid: claims.user_id })
        .setProtectedHeader({ alg: "EdDSA", typ: "JWT" })
        .setSubject(claims.attendee_id)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(`${options.ttlSeconds}s`)
        .sign(privateKey),
    verify: async (token) => {
      const { payload } = await jwtVerify(token, publicKey, { algorithms: ["EdDSA"], issuer, audience });
      const { sub, mid, sid, uid } = payload;
      if (!sub || typeof mid !== "string" || typeof sid !== "string" || typeof uid !== "string") {
        throw new Error("join token is missing claims");
      }
      return { attendee_id: sub, meeting_id: mid, session_id: sid, user_id: uid };
    },
  };
}

async function importKeys(json: string) {
  const jwk = JSON.parse(json) as JWK;
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || !jwk.d) {
    throw new Error("JOIN_TOKEN_PRIVATE_JWK must be an Ed25519 private JWK");
  }
  const privateKey = await importJWK(jwk, "EdDSA");
  const { d: _d, ...pub } = jwk;
  const publicKey = await importJWK(pub, "EdDSA");
  return { privateKey, publicKey };
}

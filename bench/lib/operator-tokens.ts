import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export interface TokenUser {
  id: string;
  role: "DOCTOR" | "PATIENT" | "ADMIN";
  clinic_id: string;
  name: string;
}

/**
 * The stack's auth service signs with AUTH_SIGNING_KEY when it is set (an operator setting).
 * The bench generates that key, hands it to `npm start`, and signs access tokens for its
 * synthetic doctors and patients with it, exactly as the auth service would (same claims,
 * issuer, audience, kid), so every service verifies them through the real JWKS. Logging in
 * a thousand users instead would only measure the login rate limit.
 */
export async function createOperatorKey() {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const kid = "bench-operator-key";
  const jwk = { ...(await exportJWK(privateKey)), kid };
  const sign = (user: TokenUser) =>
    new SignJWT({ role: user.role, name: user.name, email: `${user.id}@bench.clinic`, clinic_id: user.clinic_id })
      .setProtectedHeader({ alg: "EdDSA", kid, typ: "JWT" })
      .setSubject(user.id)
      .setIssuer("clinic-auth")
      .setAudience("clinic-api")
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime("2h")
      .sign(privateKey);
  return { env: { AUTH_SIGNING_KEY: JSON.stringify(jwk) }, sign };
}

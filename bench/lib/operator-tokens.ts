import { createTestTokens } from "@clinic/platform/testing";

export interface TokenUser {
  id: string;
  role: "DOCTOR" | "PATIENT" | "ADMIN";
  clinic_id: string;
  name: string;
}

/**
 * The stack's auth service signs with AUTH_SIGNING_KEY when it is set (an operator setting).
 * The bench generates that key, hands it to `npm start`, and signs access tokens for its
 * synthetic doctors and patients with it through the tests' signer (the auth service's claims,
 * issuer and audience), so every service verifies them through the real JWKS. Logging in
 * a thousand users instead would only measure the login rate limit.
 */
export async function createOperatorKey() {
  const tokens = await createTestTokens({ kid: "bench-operator-key" });
  const sign = (user: TokenUser) => tokens.sign({ ...user, email: `${user.id}@bench.clinic` }, { expiresIn: "2h" });
  return { env: { AUTH_SIGNING_KEY: tokens.signingKey }, sign };
}

import type { AuthUser } from "@clinic/platform";
import { createTestTokens, testAudience, testIssuer, testPeople } from "@clinic/platform/testing";
import type { JWTPayload } from "jose";

/** The people of the suites: the one list of test users (see `testPeople`). */
export const people = testPeople;
export type Person = keyof typeof people;

export interface TokenKit {
  /** Private JWK (with kid) to hand the auth service as AUTH_SIGNING_KEY. */
  signingKey: string;
  sign(user: AuthUser, overrides?: JWTPayload): Promise<string>;
  /** Access tokens every service must refuse, for a given user. */
  forged(user: AuthUser): Promise<Record<"expired" | "wrongSignature" | "algNone" | "wrongAudience", string>>;
}

/**
 * Tokens signed with the key the auth service itself signs with (AUTH_SIGNING_KEY), so every
 * service verifies them through the auth service's real JWKS endpoint, for any person.
 */
export async function createTokenKit(): Promise<TokenKit> {
  const kid = "suite-key";
  const real = await createTestTokens({ kid });
  // Same kid, other key: a verifier that trusted the kid alone would accept it.
  const impostor = await createTestTokens({ kid });
  const unsigned = (user: AuthUser) => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...user, sub: user.id, iss: testIssuer, aud: testAudience, iat: now, exp: now + 900 };
    return `${encode({ alg: "none", typ: "JWT" })}.${encode(claims)}.`;
  };
  return {
    signingKey: real.signingKey,
    sign: real.sign,
    forged: async (user) => {
      const past = Math.floor(Date.now() / 1000) - 3600;
      return {
        expired: await real.sign(user, { iat: past - 900, exp: past }),
        wrongSignature: await impostor.sign(user),
        algNone: unsigned(user),
        wrongAudience: await real.sign(user, { aud: "some-other-api" }),
      };
    },
  };
}

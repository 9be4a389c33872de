import type { AuthUser } from "@clinic/platform";
import { createTestTokens, testAudience, testIssuer } from "@clinic/platform/testing";
import type { JWTPayload } from "jose";

/**
 * The people of the suites: two clinics, two doctors and two patients in the first, an admin
 * of each. Their names and emails are what must never leak into a refused response or a log.
 */
export const people = {
  doctor: { id: "doc-ada", role: "DOCTOR", clinic_id: "clinic-1", name: "Dr. Ada Quill", email: "ada@clinic1.test" },
  otherDoctor: {
    id: "doc-bob",
    role: "DOCTOR",
    clinic_id: "clinic-1",
    name: "Dr. Bob Marlow",
    email: "bob@clinic1.test",
  },
  patient: { id: "pat-zed", role: "PATIENT", clinic_id: "clinic-1", name: "Zedekiah Plumtree", email: "zed@mail.test" },
  otherPatient: {
    id: "pat-yve",
    role: "PATIENT",
    clinic_id: "clinic-1",
    name: "Yvette Quarrington",
    email: "yve@mail.test",
  },
  admin: { id: "adm-1", role: "ADMIN", clinic_id: "clinic-1", name: "Admin Uno", email: "admin@clinic1.test" },
  // The same doctor id in another clinic: ids are only unique within a clinic.
  otherClinicDoctor: {
    id: "doc-ada",
    role: "DOCTOR",
    clinic_id: "clinic-2",
    name: "Dr. Other Clinic",
    email: "other@clinic2.test",
  },
  otherClinicAdmin: {
    id: "adm-2",
    role: "ADMIN",
    clinic_id: "clinic-2",
    name: "Admin Dos",
    email: "admin@clinic2.test",
  },
} satisfies Record<string, AuthUser>;
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

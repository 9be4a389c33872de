import type { AuthUser } from "@clinic/platform";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

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

export const issuer = "clinic-auth";
export const audience = "clinic-api";

export interface TokenKit {
  /** Private JWK (with kid) to hand the auth service as AUTH_SIGNING_KEY. */
  signingKey: string;
  sign(user: AuthUser, overrides?: JWTPayload): Promise<string>;
  /** Access tokens every service must refuse, for a given user. */
  forged(user: AuthUser): Promise<Record<"expired" | "wrongSignature" | "algNone" | "wrongAudience", string>>;
}

async function signer(kid: string) {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const sign = (user: AuthUser, overrides: JWTPayload = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      role: user.role,
      name: user.name,
      email: user.email,
      clinic_id: user.clinic_id,
      iss: issuer,
      aud: audience,
      sub: user.id,
      iat: now,
      exp: now + 900,
      jti: crypto.randomUUID(),
      ...overrides,
    })
      .setProtectedHeader({ alg: "EdDSA", kid })
      .sign(privateKey);
  };
  return { privateKey, sign };
}

/**
 * Tokens signed with the key the auth service itself signs with (AUTH_SIGNING_KEY), so every
 * service verifies them through the auth service's real JWKS endpoint, for any person.
 */
export async function createTokenKit(): Promise<TokenKit> {
  const kid = "suite-key";
  const real = await signer(kid);
  // Same kid, other key: a verifier that trusted the kid alone would accept it.
  const impostor = await signer(kid);
  const jwk: JWK = { ...(await exportJWK(real.privateKey)), kid };
  const unsigned = (user: AuthUser) => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...user, sub: user.id, iss: issuer, aud: audience, iat: now, exp: now + 900 };
    return `${encode({ alg: "none", typ: "JWT" })}.${encode(claims)}.`;
  };
  return {
    signingKey: JSON.stringify(jwk),
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

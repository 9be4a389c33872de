import { type Static, Type } from "typebox";
import { ClinicId, Role, UserId } from "./common.ts";
import { SingleLineText } from "./text.ts";

export const User = Type.Object(
  { id: UserId, role: Role, name: Type.String(), email: Type.String(), clinic_id: ClinicId },
  { $id: "User" },
);
export type User = Static<typeof User>;

export const LoginRequest = Type.Object(
  {
    email: Type.String({ format: "email", maxLength: 254 }),
    // Any printable character; a control character cannot be typed into a password field.
    password: SingleLineText({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal("Bearer"),
  expires_in: Type.Integer({ description: "seconds until the access token expires" }),
  refresh_token: Type.String(),
  user: User,
});
export type TokenResponse = Static<typeof TokenResponse>;

export const RefreshRequest = Type.Object(
  { refresh_token: SingleLineText({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
export type RefreshRequest = Static<typeof RefreshRequest>;

export const LogoutRequest = RefreshRequest;
export type LogoutRequest = RefreshRequest;

/** One public key as published at `GET /api/auth/.well-known/jwks.json` (Ed25519, RFC 8037). */
export const PublicJwk = Type.Object(
  {
    kty: Type.String(),
    crv: Type.Optional(Type.String()),
    x: Type.Optional(Type.String()),
    y: Type.Optional(Type.String()),
    kid: Type.String(),
    alg: Type.String(),
    use: Type.Literal("sig"),
  },
  { additionalProperties: false },
);
export const Jwks = Type.Object({ keys: Type.Array(PublicJwk) });
export type Jwks = Static<typeof Jwks>;

/**
 * The demo clinic and its people, seeded by the auth service when SEED_DEMO=1. The ids are
 * fixed so other services' demo seeds (appointments, sessions) can point at the same people.
 * Passwords are the published demo credentials (README), never real ones.
 */
export const demoClinic = { id: "clinic-demo", name: "Demo Clinic" } as const;

export interface DemoUser {
  readonly id: string;
  readonly role: Role;
  readonly name: string;
  readonly email: string;
  readonly clinic_id: string;
  readonly password: string;
}

export const demoUsers = {
  doctor: {
    id: "doc_ada",
    role: "DOCTOR",
    name: "Dr. Ada Lovelace",
    email: "doctor@demo.clinic",
    clinic_id: demoClinic.id,
    password: "doctor-demo",
  },
  doctor2: {
    id: "doc_grace",
    role: "DOCTOR",
    name: "Dr. Grace Hopper",
    email: "doctor2@demo.clinic",
    clinic_id: demoClinic.id,
    password: "doctor-demo",
  },
  patient: {
    id: "pat_john",
    role: "PATIENT",
    name: "John Doe",
    email: "patient@demo.clinic",
    clinic_id: demoClinic.id,
    password: "patient-demo",
  },
  admin: {
    id: "adm_clinic",
    role: "ADMIN",
    name: "Clinic Admin",
    email: "admin@demo.clinic",
    clinic_id: demoClinic.id,
    password: "admin-demo",
  },
} as const satisfies Record<string, DemoUser>;

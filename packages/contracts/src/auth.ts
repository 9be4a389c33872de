import { type Static, Type } from "typebox";
import { ClinicId, NullableTimestamp, Role, Timestamp, UserId } from "./common.ts";
import { NonBlankSingleLineText, SingleLineText } from "./text.ts";

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
    // No schema default: the generated web types would then make it required.
    token_delivery: Type.Optional(
      Type.Union([Type.Literal("cookie"), Type.Literal("body")], {
        description:
          'where the refresh token goes: "body" (default, API clients) in the JSON; "cookie" (the web app) in the HttpOnly cookie `clinic_refresh`, scoped to the refresh and logout paths, and not in the JSON',
      }),
    ),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal("Bearer"),
  expires_in: Type.Integer({ description: "seconds until the access token expires" }),
  refresh_token: Type.Optional(
    Type.String({ description: "absent when the refresh token was delivered as the `clinic_refresh` cookie" }),
  ),
  user: User,
});
export type TokenResponse = Static<typeof TokenResponse>;

/** Refresh and logout: the token in the body (API clients), or none and the `clinic_refresh` cookie (the web app). */
export const RefreshRequest = Type.Object(
  { refresh_token: Type.Optional(SingleLineText({ minLength: 1, maxLength: 512 })) },
  { additionalProperties: false },
);
export type RefreshRequest = Static<typeof RefreshRequest>;

export const LogoutRequest = RefreshRequest;
export type LogoutRequest = RefreshRequest;

/** `GET /api/auth/client-config`: the settings the web app needs before and after sign-in. */
export const ClientConfig = Type.Object({
  idle_logoff_min: Type.Integer({
    minimum: 1,
    description: "minutes without activity after which the web app signs out",
  }),
  session_max_hours: Type.Integer({ minimum: 1, description: "a login lasts at most this long, activity or not" }),
  clinic_time_zone: Type.String({ description: "IANA time zone the clinic's dates are shown in, e.g. Europe/Berlin" }),
});
export type ClientConfig = Static<typeof ClientConfig>;

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

// ---------------------------------------------------------------------------------------
// People directory and provisioning (issue 11): clinic admins create and manage the people
// of their own clinic; doctors and admins look people up for booking.
// ---------------------------------------------------------------------------------------

const PersonEmail = Type.String({ format: "email", maxLength: 254 });
const PersonFullName = NonBlankSingleLineText({ minLength: 1, maxLength: 200 });

/** A person of the clinic as its admins see them. */
export const DirectoryUser = Type.Object(
  {
    id: UserId,
    role: Role,
    name: Type.String(),
    email: Type.String(),
    clinic_id: ClinicId,
    active: Type.Boolean(),
    has_password: Type.Boolean({ description: "false until the set-password link is used" }),
    created_at: Timestamp,
    deactivated_at: NullableTimestamp,
  },
  { $id: "DirectoryUser" },
);
export type DirectoryUser = Static<typeof DirectoryUser>;

/** A one-time link to set (or reset) a password: `<PUBLIC_WEB_URL>/set-password#<token>`. */
export const PasswordLink = Type.Object({
  url: Type.String({ description: "the token is in the fragment, so it never reaches a server log" }),
  expires_at: Timestamp,
});
export type PasswordLink = Static<typeof PasswordLink>;

export const CreateUserRequest = Type.Object(
  { role: Role, name: PersonFullName, email: PersonEmail },
  { additionalProperties: false },
);
export type CreateUserRequest = Static<typeof CreateUserRequest>;

export const CreatedUser = Type.Object({ user: DirectoryUser, password_link: PasswordLink });
export type CreatedUser = Static<typeof CreatedUser>;

export const UpdateUserRequest = Type.Object(
  {
    name: Type.Optional(PersonFullName),
    email: Type.Optional(PersonEmail),
    role: Type.Optional(Role),
    active: Type.Optional(
      Type.Boolean({ description: "false: deactivate (every login of the person ends at once); true: reactivate" }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserRequest = Static<typeof UpdateUserRequest>;

const SearchText = SingleLineText({
  minLength: 1,
  maxLength: 100,
  description: "part of the name or the email, any case",
});

export const ListUsersQuery = Type.Object(
  {
    role: Type.Optional(Role),
    active: Type.Optional(Type.Boolean()),
    q: Type.Optional(SearchText),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
  },
  { additionalProperties: false },
);
export type ListUsersQuery = Static<typeof ListUsersQuery>;

export const UserList = Type.Object({
  total: Type.Integer({ minimum: 0, description: "people matching the filters, over all pages" }),
  limit: Type.Integer(),
  offset: Type.Integer(),
  users: Type.Array(DirectoryUser),
});
export type UserList = Static<typeof UserList>;

export const UserParams = Type.Object({ user_id: UserId }, { additionalProperties: false });
export type UserParams = Static<typeof UserParams>;

/** `POST /api/auth/password`: the token from the link's fragment and the new password. */
export const SetPasswordRequest = Type.Object(
  {
    token: SingleLineText({ minLength: 1, maxLength: 128 }),
    password: SingleLineText({ minLength: 10, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export type SetPasswordRequest = Static<typeof SetPasswordRequest>;

/** The booking form's picker: active people of the caller's clinic. */
export const DirectoryQuery = Type.Object(
  {
    role: Type.Optional(Type.Union([Type.Literal("PATIENT"), Type.Literal("DOCTOR")])),
    q: Type.Optional(SearchText),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
  },
  { additionalProperties: false },
);
export type DirectoryQuery = Static<typeof DirectoryQuery>;

export const DirectoryEntry = Type.Object({ id: UserId, role: Role, name: Type.String(), email: Type.String() });
export type DirectoryEntry = Static<typeof DirectoryEntry>;

export const DirectoryList = Type.Object({ users: Type.Array(DirectoryEntry) });
export type DirectoryList = Static<typeof DirectoryList>;

/** One person, for another service checking a booking (inactive people included, with `active`). */
export const DirectoryPerson = Type.Object(
  { id: UserId, role: Role, name: Type.String(), email: Type.String(), clinic_id: ClinicId, active: Type.Boolean() },
  { $id: "DirectoryPerson" },
);
export type DirectoryPerson = Static<typeof DirectoryPerson>;

import { type Static, Type } from "typebox";
import { ClinicId, Role, UserId } from "./common.ts";

export const User = Type.Object(
  { id: UserId, role: Role, name: Type.String(), email: Type.String(), clinic_id: ClinicId },
  { $id: "User" },
);
export type User = Static<typeof User>;

export const LoginRequest = Type.Object(
  {
    email: Type.String({ format: "email", maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
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
  { refresh_token: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
export type RefreshRequest = Static<typeof RefreshRequest>;

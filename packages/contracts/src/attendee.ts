import { type Static, Type } from "typebox";

/** JOINING until the signalling connection opens, then CONNECTED, LEFT, REPLACED. */
export const AttendeeStatus = Type.Union([
  Type.Literal("JOINING"),
  Type.Literal("CONNECTED"),
  Type.Literal("LEFT"),
  Type.Literal("REPLACED"),
]);
export type AttendeeStatus = Static<typeof AttendeeStatus>;

export const UserType = Type.Union([Type.Literal("DOCTOR"), Type.Literal("PATIENT")]);
export type UserType = Static<typeof UserType>;

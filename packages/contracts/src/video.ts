import { type Static, Type } from "typebox";

export const SessionStatus = Type.Union([
  Type.Literal("CREATED"),
  Type.Literal("IN_PROGRESS"),
  Type.Literal("COMPLETED"),
  Type.Literal("CANCELLED"),
]);
export type SessionStatus = Static<typeof SessionStatus>;

/** design.md §4: JOINING until the signalling connection opens, then CONNECTED, LEFT, REPLACED. */
export const AttendeeStatus = Type.Union([
  Type.Literal("JOINING"),
  Type.Literal("CONNECTED"),
  Type.Literal("LEFT"),
  Type.Literal("REPLACED"),
]);
export type AttendeeStatus = Static<typeof AttendeeStatus>;

export const UserType = Type.Union([Type.Literal("DOCTOR"), Type.Literal("PATIENT")]);
export type UserType = Static<typeof UserType>;

export const UsageStatus = Type.Union([
  Type.Literal("HEALTHY"),
  Type.Literal("WARNING"),
  Type.Literal("CRITICAL"),
  Type.Literal("EXCEEDED"),
]);
export type UsageStatus = Static<typeof UsageStatus>;

export const MediaProviderName = Type.Union([Type.Literal("embedded"), Type.Literal("chime")]);
export type MediaProviderName = Static<typeof MediaProviderName>;

export const AwsMediaUrls = Type.Object({
  audio_host_url: Type.String(),
  video_host_url: Type.String(),
  signaling_url: Type.String(),
});
export type AwsMediaUrls = Static<typeof AwsMediaUrls>;

export const IceServer = Type.Object({
  urls: Type.Union([Type.String(), Type.Array(Type.String())]),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});
export type IceServer = Static<typeof IceServer>;

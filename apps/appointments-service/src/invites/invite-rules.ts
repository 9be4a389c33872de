import { createHash } from "node:crypto";
import type { AppointmentStatus } from "@clinic/contracts";
import type { InviteGoneCode } from "../errors.ts";

/**
 * When an invite stops opening its consultation, decided in one place for the resolve
 * endpoint and for the re-check of an exchanged token (appointment-access.ts).
 */

/** Only the token's SHA-256 (base64url) is stored and looked up. */
export const inviteTokenHash = (token: string) => createHash("sha256").update(token).digest("base64url");

/**
 * The end of the appointment's join window: start + duration + INVITE_GRACE_AFTER_MIN, from
 * the appointment as it is now, so a reschedule moves it.
 */
export function inviteExpiry(appointment: { start_time: Date; duration_minutes: number }, graceMinutes: number): Date {
  return new Date(new Date(appointment.start_time).getTime() + (appointment.duration_minutes + graceMinutes) * 60_000);
}

export interface InviteFacts {
  invite: { revoked_at: Date | null };
  appointment: { status: AppointmentStatus; start_time: Date; duration_minutes: number };
}

/**
 * Why the invite no longer opens anything (null: it does). Revocation first (the clinic's
 * decision), then the appointment's end (cancelled, completed: a plainer message than
 * "expired"), then the window.
 */
export function inviteGone(
  { invite, appointment }: InviteFacts,
  now: Date,
  graceMinutes: number,
): InviteGoneCode | null {
  if (invite.revoked_at) return "INVITE_REVOKED";
  if (appointment.status === "CANCELLED") return "APPOINTMENT_CANCELLED";
  if (appointment.status === "COMPLETED") return "CONSULTATION_ENDED";
  if (now.getTime() >= inviteExpiry(appointment, graceMinutes).getTime()) return "INVITE_EXPIRED";
  return null;
}

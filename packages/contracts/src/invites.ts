import { type Static, Type } from "typebox";
import { AppointmentStatus } from "./appointments.ts";
import { User } from "./auth.ts";
import { AppointmentId, ClinicId, SessionId, Timestamp, UserId } from "./common.ts";

/**
 * Invite links (issue 11): a doctor or clinic admin hands the appointment's patient a link
 * `<PUBLIC_WEB_URL>/join/<token>`; the web app exchanges the token for an access token good
 * for that one consultation (`scope: "invite"`).
 */

/** The token of an invite link: 32 random bytes, base64url (43 characters). */
export const InviteToken = Type.String({
  minLength: 16,
  maxLength: 128,
  // The length in the pattern too: generators (the fuzz suite's) then make tokens of that length.
  pattern: "^[A-Za-z0-9_-]{16,128}$",
  description: "the token of an invite link (the part after /join/)",
});

/** `POST /api/appointments/{id}/invites`: the link to send the patient. */
export const InviteLink = Type.Object(
  {
    url: Type.String({ description: "<PUBLIC_WEB_URL>/join/<token>; shown once, only its hash is stored" }),
    expires_at: Type.String({
      format: "date-time",
      description: "the end of the appointment's join window (start + duration + INVITE_GRACE_AFTER_MIN)",
    }),
  },
  { $id: "InviteLink" },
);
export type InviteLink = Static<typeof InviteLink>;

/** `POST /api/appointments/invites/resolve` (called by the auth service's exchange). */
export const ResolveInviteRequest = Type.Object({ token: InviteToken }, { additionalProperties: false });
export type ResolveInviteRequest = Static<typeof ResolveInviteRequest>;

export const ResolvedInvite = Type.Object(
  {
    invite_id: Type.String({ format: "uuid" }),
    appointment_id: AppointmentId,
    clinic_id: ClinicId,
    patient_id: UserId,
    patient_name: Type.String(),
    doctor_id: UserId,
    doctor_name: Type.String(),
    start_time: Timestamp,
    duration_minutes: Type.Integer({ minimum: 5, maximum: 480 }),
    status: AppointmentStatus,
    session_id: Type.Union([SessionId, Type.Null()]),
    expires_at: Type.String({
      format: "date-time",
      description: "from the appointment's current start and duration: a reschedule moves it",
    }),
    /**
     * When the invite was created. The invite-scoped access token carries it (`invite_issued_at`),
     * so the video service can tell an invite issued after the doctor removed the person from the
     * call (which lets them rejoin) from an older one. Optional: an older appointments service omits it.
     */
    issued_at: Type.Optional(Timestamp),
  },
  { $id: "ResolvedInvite" },
);
export type ResolvedInvite = Static<typeof ResolvedInvite>;

/** `POST /api/auth/invite-token`. */
export const InviteTokenRequest = Type.Object({ invite_token: InviteToken }, { additionalProperties: false });
export type InviteTokenRequest = Static<typeof InviteTokenRequest>;

/** What the invite page shows and needs: the consultation, never a list of others. */
export const InviteSummary = Type.Object({
  appointment_id: AppointmentId,
  doctor_name: Type.String(),
  start_time: Timestamp,
  duration_minutes: Type.Integer({ minimum: 5, maximum: 480 }),
  status: AppointmentStatus,
  session_id: Type.Union([SessionId, Type.Null()]),
  expires_at: Timestamp,
});
export type InviteSummary = Static<typeof InviteSummary>;

export const InviteTokenResponse = Type.Object(
  {
    access_token: Type.String({ description: "scope invite: opens this consultation only; no refresh token" }),
    token_type: Type.Literal("Bearer"),
    expires_in: Type.Integer({ description: "seconds until the access token expires (never after the invite)" }),
    user: User,
    invite: InviteSummary,
  },
  { $id: "InviteTokenResponse" },
);
export type InviteTokenResponse = Static<typeof InviteTokenResponse>;

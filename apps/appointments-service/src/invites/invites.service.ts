import { randomBytes, randomUUID } from "node:crypto";
import type { InviteLink, ResolvedInvite } from "@clinic/contracts";
import type { Kysely } from "kysely";
import { type Actor, AppointmentAccess } from "../appointments/appointment-access.ts";
import { appointmentsRepository as appointments } from "../appointments/appointments.repository.ts";
import type { AppointmentsTables } from "../database.ts";
import { AppointmentNotInvitable, InviteGone, InviteNotFound } from "../errors.ts";
import { inviteExpiry, inviteGone, inviteTokenHash } from "./invite-rules.ts";
import { invitesRepository as repo } from "./invites.repository.ts";

export interface InvitesServiceDeps {
  db: Kysely<AppointmentsTables>;
  /** PUBLIC_WEB_URL, no trailing slash: links are `<publicWebUrl>/join/<token>`. */
  publicWebUrl: string;
  /** INVITE_GRACE_AFTER_MIN. */
  graceMinutes: number;
  now?: () => Date;
}

/** 256 bits of randomness, base64url (43 characters): shown once, in the link; only its hash is kept. */
const newInviteToken = () => randomBytes(32).toString("base64url");

export type InvitesService = ReturnType<typeof createInvitesService>;

export function createInvitesService({ db, publicWebUrl, graceMinutes, now = () => new Date() }: InvitesServiceDeps) {
  const access = new AppointmentAccess(db, { now, inviteGraceMinutes: graceMinutes });
  return {
    /**
     * A new link for the appointment's patient (earlier links stay valid until revoked). The
     * decision is audited before the invite is written, as for a cancel.
     */
    async create(actor: Actor, appointmentId: string): Promise<InviteLink> {
      const row = await access.check(actor, "INVITE", appointmentId, await appointments.find(db, appointmentId));
      if (!row.video_enabled) {
        throw new AppointmentNotInvitable("This appointment has no video consultation to invite to", row.status);
      }
      if (row.status !== "SCHEDULED" && row.status !== "IN_PROGRESS") {
        throw new AppointmentNotInvitable(
          `Only a SCHEDULED or IN_PROGRESS appointment can be invited to; this one is ${row.status}`,
          row.status,
        );
      }
      const at = now();
      const expiresAt = inviteExpiry(row, graceMinutes);
      if (expiresAt.getTime() <= at.getTime()) {
        throw new AppointmentNotInvitable("This appointment's join window has closed", row.status);
      }
      const token = newInviteToken();
      await repo.insert(db, {
        id: randomUUID(),
        appointment_id: row.id,
        clinic_id: row.clinic_id,
        patient_id: row.patient_id,
        token_hash: inviteTokenHash(token),
        created_by: actor.user.id,
        created_at: at,
        expires_at: expiresAt,
      });
      return { url: `${publicWebUrl}/join/${token}`, expires_at: expiresAt.toISOString() };
    },

    /** Every live invite of the appointment stops working at once (tokens already exchanged too: re-checked). */
    async revoke(actor: Actor, appointmentId: string): Promise<void> {
      await access.check(actor, "REVOKE_INVITE", appointmentId, await appointments.find(db, appointmentId));
      await repo.revokeAll(db, appointmentId, actor.user.id, now());
    },

    /**
     * The token's invite and its consultation, as they are now; 404 for a token that was never
     * issued, 410 (with why) for one that is over. Audited when the invite exists.
     */
    async resolve(token: string, requestId: string): Promise<ResolvedInvite> {
      const invite = await repo.findByHash(db, inviteTokenHash(token));
      if (!invite) throw new InviteNotFound();
      const appointment = await appointments.find(db, invite.appointment_id);
      // Invites reference their appointment (foreign key): a missing one is a broken database, not a 404.
      if (!appointment) throw new Error(`invite ${invite.id}: its appointment is missing`);
      const gone = inviteGone({ invite, appointment }, now(), graceMinutes);
      await access.recordResolve(invite, requestId, gone);
      if (gone) throw new InviteGone(gone);
      return {
        invite_id: invite.id,
        appointment_id: appointment.id,
        clinic_id: appointment.clinic_id,
        patient_id: appointment.patient_id,
        patient_name: appointment.patient_name,
        doctor_id: appointment.doctor_id,
        doctor_name: appointment.doctor_name,
        start_time: new Date(appointment.start_time).toISOString(),
        duration_minutes: appointment.duration_minutes,
        status: appointment.status,
        session_id: appointment.session_id,
        expires_at: inviteExpiry(appointment, graceMinutes).toISOString(),
        issued_at: new Date(invite.created_at).toISOString(),
      };
    },
  };
}

import type { Insertable, Kysely, Selectable, Transaction } from "kysely";
import type { AppointmentsTables } from "../database.ts";

export type InviteRow = Selectable<AppointmentsTables["appointment_invites"]>;
type Db = Kysely<AppointmentsTables> | Transaction<AppointmentsTables>;

export const invitesRepository = {
  async insert(db: Db, row: Insertable<AppointmentsTables["appointment_invites"]>): Promise<InviteRow> {
    return db.insertInto("appointment_invites").values(row).returningAll().executeTakeFirstOrThrow();
  },

  async findByHash(db: Db, tokenHash: string): Promise<InviteRow | undefined> {
    return db.selectFrom("appointment_invites").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
  },

  async findById(db: Db, id: string): Promise<InviteRow | undefined> {
    return db.selectFrom("appointment_invites").selectAll().where("id", "=", id).executeTakeFirst();
  },

  /** Revokes every live invite of the appointment; how many were. */
  async revokeAll(db: Db, appointmentId: string, by: string, at: Date): Promise<number> {
    const rows = await db
      .updateTable("appointment_invites")
      .set({ revoked_at: at, revoked_by: by })
      .where("appointment_id", "=", appointmentId)
      .where("revoked_at", "is", null)
      .returning("id")
      .execute();
    return rows.length;
  },
};

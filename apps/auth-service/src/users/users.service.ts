import { createHash, randomBytes } from "node:crypto";
import type {
  CreatedUser,
  CreateUserRequest,
  DirectoryList,
  DirectoryPerson,
  DirectoryQuery,
  DirectoryUser,
  ListUsersQuery,
  PasswordLink,
  UpdateUserRequest,
  UserList,
} from "@clinic/contracts";
import { withTransaction } from "@clinic/platform";
import type { Kysely, Transaction } from "kysely";
import type { AuthTables } from "../database.ts";
import {
  ClinicNotFound,
  EmailTaken,
  PasswordLinkExpired,
  PasswordLinkInvalid,
  UserInactive,
  UserNotFound,
} from "../errors.ts";
import { revokeAllFamilies } from "../tokens/refresh-tokens.repository.ts";
import { hashPassword } from "./password.ts";
import { deleteUnusedLinks, findLinkByHash, insertPasswordLink, markLinkUsed } from "./password-links.repository.ts";
import { type Actor, UserAccess, type UserAction } from "./user-access.ts";
import {
  clinicExists,
  findUserByEmail,
  findUserById,
  insertNewUser,
  listUsers,
  lockUser,
  setPasswordHash,
  toDirectoryEntry,
  toDirectoryPerson,
  toDirectoryUser,
  type UserRow,
  updateUser,
} from "./users.repository.ts";

export interface UsersServiceOptions {
  db: Kysely<AuthTables>;
  /** PUBLIC_WEB_URL, no trailing slash: links point at its /set-password page. */
  publicWebUrl: string;
  /** PASSWORD_LINK_TTL_HOURS. */
  linkTtlHours: number;
  now: () => Date;
}

/** 256 random bits; only the SHA-256 is stored. */
const newLinkToken = () => randomBytes(32).toString("base64url");
const digest = (token: string) => createHash("sha256").update(token).digest("base64url");

/** A unique-index violation (the email, taken by a concurrent change). */
const isUniqueViolation = (err: unknown) => (err as { code?: unknown }).code === "23505";

/**
 * The people directory: provisioning by clinic admins (and the operator's CLI), one-time
 * password links, and the lookups the booking form and the appointments service make.
 * Who may do what is UserAccess's; every answer is audited there.
 */
export function createUsersService(options: UsersServiceOptions) {
  const { db, publicWebUrl, linkTtlHours, now } = options;
  const access = new UserAccess(db);

  /** Checks, audited, that the actor may act on the person an id named (`row` as loaded). */
  async function allowed(
    actor: Actor,
    action: UserAction,
    id: string,
    row: UserRow | undefined,
    change?: UpdateUserRequest,
  ) {
    await access.check(actor, action, row ?? null, change, id);
    if (!row) throw new UserNotFound();
    return row;
  }
  const target = async (actor: Actor, action: UserAction, id: string) =>
    allowed(actor, action, id, await findUserById(db, id));

  /** Writes a new link (dropping the person's unused ones) and answers its URL. */
  async function issueLink(
    trx: Transaction<AuthTables>,
    actor: Actor,
    userId: string,
    purpose: "SET" | "RESET",
  ): Promise<PasswordLink> {
    // The person's row first, as setPassword and deactivation lock it: no deadlock between them.
    await lockUser(trx, userId);
    const token = newLinkToken();
    const createdAt = now();
    const expiresAt = new Date(createdAt.getTime() + linkTtlHours * 3600_000);
    await deleteUnusedLinks(trx, userId);
    await insertPasswordLink(trx, {
      user_id: userId,
      token_hash: digest(token),
      purpose,
      created_by: actor.user.id,
      created_at: createdAt,
      expires_at: expiresAt,
    });
    // The token goes in the fragment: browsers do not send it, so no server logs it.
    return { url: `${publicWebUrl}/set-password#${token}`, expires_at: expiresAt.toISOString() };
  }

  return {
    async list(actor: Actor, query: ListUsersQuery): Promise<UserList> {
      await access.check(actor, "LIST");
      const { total, rows } = await listUsers(db, actor.user.clinic_id, query);
      return { total, limit: query.limit, offset: query.offset, users: rows.map(toDirectoryUser) };
    },

    async get(actor: Actor, id: string): Promise<DirectoryUser> {
      return toDirectoryUser(await target(actor, "READ", id));
    },

    /** A person of the actor's clinic, without a password, and their set-password link. */
    async create(actor: Actor, input: CreateUserRequest): Promise<CreatedUser> {
      await access.checkCreate(actor);
      const clinicId = actor.user.clinic_id;
      if (!(await clinicExists(db, clinicId))) throw new ClinicNotFound();
      const created = await withTransaction(db, async (trx) => {
        const row = await insertNewUser(trx, { ...input, clinic_id: clinicId });
        if (!row) return undefined;
        await access.recordCreated(trx, actor, row.id);
        return { user: toDirectoryUser(row), password_link: await issueLink(trx, actor, row.id, "SET") };
      });
      if (!created) {
        await access.recordRefusal(actor, "CREATE", "EMAIL_TAKEN", null);
        throw new EmailTaken();
      }
      return created;
    },

    /**
     * Name, email, role, active. Deactivating ends every login of the person in the same
     * transaction (and drops their unused password links); reactivating lets them sign in again.
     */
    async update(actor: Actor, id: string, changes: UpdateUserRequest): Promise<DirectoryUser> {
      const current = await findUserById(db, id);
      const action: UserAction =
        changes.active === false && current?.active
          ? "DEACTIVATE"
          : changes.active === true && current && !current.active
            ? "REACTIVATE"
            : "UPDATE";
      await allowed(actor, action, id, current, changes);
      if (changes.email !== undefined) {
        const holder = await findUserByEmail(db, changes.email);
        if (holder && holder.id !== id) {
          await access.recordRefusal(actor, action, "EMAIL_TAKEN", id);
          throw new EmailTaken();
        }
      }
      let updated: UserRow | undefined;
      try {
        updated = await withTransaction(db, async (trx) => {
          const locked = await lockUser(trx, id);
          if (!locked) return undefined;
          const at = now();
          // Only a real change of state moves deactivated_at.
          const active = changes.active !== undefined && changes.active !== locked.active ? changes.active : undefined;
          const row = await updateUser(trx, id, { ...changes, active }, at);
          if (active === false) {
            await revokeAllFamilies(trx, id, "DEACTIVATED", at);
            await deleteUnusedLinks(trx, id);
          }
          return row;
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        await access.recordRefusal(actor, action, "EMAIL_TAKEN", id);
        throw new EmailTaken();
      }
      if (!updated) throw new UserNotFound();
      return toDirectoryUser(updated);
    },

    /** An admin-triggered reset: a new link; the person's earlier unused links stop working. */
    async newPasswordLink(actor: Actor, id: string): Promise<PasswordLink> {
      const row = await target(actor, "PASSWORD_LINK", id);
      if (!row.active) {
        await access.recordRefusal(actor, "PASSWORD_LINK", "USER_INACTIVE", id);
        throw new UserInactive();
      }
      return withTransaction(db, (trx) => issueLink(trx, actor, id, row.password_hash === null ? "SET" : "RESET"));
    },

    /**
     * Uses a link: the password is set, the link used up and every login of the person ended,
     * in one transaction. Of two concurrent uses only one wins (markLinkUsed); the other is
     * told the link is not valid.
     */
    async setPassword(token: string, password: string, requestId: string): Promise<void> {
      const link = await findLinkByHash(db, digest(token));
      const person = link ? { id: link.user_id, role: link.role, clinic_id: link.clinic_id } : undefined;
      const refuse = async (reason: "LINK_INVALID" | "LINK_EXPIRED" | "USER_INACTIVE") => {
        await access.recordPasswordSet(db, person, reason, requestId);
        throw reason === "LINK_EXPIRED" ? new PasswordLinkExpired() : new PasswordLinkInvalid();
      };
      if (!link || link.used_at) return refuse("LINK_INVALID");
      if (link.expires_at.getTime() <= now().getTime()) return refuse("LINK_EXPIRED");
      if (!link.active) return refuse("USER_INACTIVE");
      // Hashed before the transaction: scrypt's tens of milliseconds hold no lock.
      const passwordHash = await hashPassword(password);
      const outcome = await withTransaction(db, async (trx) => {
        const at = now();
        // The person first, then the link: the order deactivation takes, so the two never deadlock.
        const locked = await lockUser(trx, link.user_id);
        if (!locked?.active) return "USER_INACTIVE" as const;
        if (!(await markLinkUsed(trx, link.id, at))) return "LINK_INVALID" as const;
        await setPasswordHash(trx, link.user_id, passwordHash, at);
        await revokeAllFamilies(trx, link.user_id, "PASSWORD_CHANGED", at);
        await access.recordPasswordSet(trx, person, null, requestId);
        return null;
      });
      if (outcome) return refuse(outcome);
    },

    async directory(actor: Actor, query: DirectoryQuery): Promise<DirectoryList> {
      await access.check(actor, "DIRECTORY_LIST");
      const { rows } = await listUsers(db, actor.user.clinic_id, { ...query, active: true, offset: 0 });
      return { users: rows.map(toDirectoryEntry) };
    },

    async directoryPerson(actor: Actor, id: string): Promise<DirectoryPerson> {
      return toDirectoryPerson(await target(actor, "DIRECTORY_READ", id));
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;

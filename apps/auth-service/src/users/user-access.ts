import type { Role } from "@clinic/contracts";
import type { Kysely, Transaction } from "kysely";
import type { AuthTables } from "../database.ts";
import { CannotChangeOwnAccount, DirectoryForbidden, UserNotFound } from "../errors.ts";
import { appendUserAudit } from "./user-audit.repository.ts";

/**
 * "May this person see or change that person?" — answered here and nowhere else, and every
 * answer, yes or no, is written to the append-only user_audit (who, role, clinic, action,
 * outcome, reason, target, request id; never names or emails), as session-access.ts does
 * for video sessions.
 *
 * Provisioning (/users*) is for the clinic's admins; the directory (the booking picker) for
 * its doctors and admins. Another clinic's person does not exist for the caller: 404, the
 * same answer as an unknown id, so ids cannot be probed across clinics.
 */
export type UserAction =
  | "LIST"
  | "READ"
  | "CREATE"
  | "UPDATE"
  | "DEACTIVATE"
  | "REACTIVATE"
  | "PASSWORD_LINK"
  | "PASSWORD_SET"
  | "DIRECTORY_LIST"
  | "DIRECTORY_READ";

/** Why access was refused: the audit row's `reason`. */
export type UserRefusal =
  | "ROLE_NOT_ALLOWED"
  | "NOT_FOUND"
  | "OTHER_CLINIC"
  | "OWN_ACCOUNT"
  | "EMAIL_TAKEN"
  | "USER_INACTIVE"
  | "LINK_INVALID"
  | "LINK_EXPIRED";

/**
 * Who is asking: a signed-in person (from their access token), or the operator's CLI
 * (`npm run admin -- create-user`, actor `cli`, role OPERATOR, acting for one clinic).
 */
export interface Actor {
  user: { id: string; role: Role | "OPERATOR"; clinic_id: string };
  requestId: string | null;
}

/** What the rules need to know of the person acted on. */
export interface Target {
  id: string;
  role: Role;
  clinic_id: string;
}

/** The change asked for, when it matters to the rules (an admin's own account). */
export interface Change {
  role?: Role | undefined;
  active?: boolean | undefined;
}

type Db = Kysely<AuthTables> | Transaction<AuthTables>;

const provisioning: ReadonlySet<UserAction> = new Set([
  "LIST",
  "READ",
  "CREATE",
  "UPDATE",
  "DEACTIVATE",
  "REACTIVATE",
  "PASSWORD_LINK",
]);

/**
 * The rules, pure: null means allowed. `target` is undefined for actions on the collection
 * (LIST, CREATE, DIRECTORY_LIST) and null when the id named no one.
 */
export function decide(
  actor: Actor["user"],
  action: UserAction,
  target?: Target | null,
  change?: Change,
): UserRefusal | null {
  if (provisioning.has(action)) {
    if (actor.role !== "ADMIN" && !(actor.role === "OPERATOR" && action === "CREATE")) return "ROLE_NOT_ALLOWED";
  } else if (action === "DIRECTORY_LIST" || action === "DIRECTORY_READ") {
    if (actor.role !== "ADMIN" && actor.role !== "DOCTOR") return "ROLE_NOT_ALLOWED";
  } else {
    // PASSWORD_SET is decided by the link, not by a signed-in person (see recordPasswordSet).
    return "ROLE_NOT_ALLOWED";
  }
  if (target === undefined) return null;
  if (target === null) return "NOT_FOUND";
  if (target.clinic_id !== actor.clinic_id) return "OTHER_CLINIC";
  // An admin cannot lock themselves out: no self-deactivation, no self-demotion.
  if (target.id === actor.id && (change?.active === false || (change?.role !== undefined && change.role !== "ADMIN")))
    return "OWN_ACCOUNT";
  return null;
}

const refusalMessage = (action: UserAction) =>
  action === "DIRECTORY_LIST" || action === "DIRECTORY_READ"
    ? "Only doctors and clinic admins can look people up"
    : "Only a clinic admin can manage people";

export class UserAccess {
  constructor(private readonly db: Kysely<AuthTables>) {}

  /**
   * Allows or throws 403/404/409, audited either way on its own connection, so a refusal is
   * on record although the request fails, and a permission before the change is attempted.
   */
  async check(
    actor: Actor,
    action: UserAction,
    target?: Target | null,
    change?: Change,
    targetId?: string,
  ): Promise<void> {
    const refusal = decide(actor.user, action, target, change);
    await this.record(this.db, actor, action, refusal, target?.id ?? targetId ?? null);
    if (refusal === "ROLE_NOT_ALLOWED") throw new DirectoryForbidden(refusalMessage(action));
    if (refusal === "NOT_FOUND" || refusal === "OTHER_CLINIC") throw new UserNotFound();
    if (refusal === "OWN_ACCOUNT") throw new CannotChangeOwnAccount();
  }

  /**
   * A creation is decided in two steps: the role here (refusal audited), then the allowed row
   * by `recordCreated`, in the transaction that creates the person, so it names them.
   */
  async checkCreate(actor: Actor): Promise<void> {
    const refusal = decide(actor.user, "CREATE");
    if (!refusal) return;
    await this.record(this.db, actor, "CREATE", refusal, null);
    throw new DirectoryForbidden(refusalMessage("CREATE"));
  }

  recordCreated(trx: Transaction<AuthTables>, actor: Actor, userId: string): Promise<void> {
    return this.record(trx, actor, "CREATE", null, userId);
  }

  /** A refusal found after the access check (email taken, person inactive), for the record. */
  recordRefusal(actor: Actor, action: UserAction, reason: UserRefusal, targetId: string | null): Promise<void> {
    return this.record(this.db, actor, action, reason, targetId);
  }

  /**
   * A use of a set-password link: the link is the only credential, so the actor is the
   * link's person (or "anonymous" when the token named no link).
   */
  recordPasswordSet(
    db: Db,
    person: Target | undefined,
    reason: UserRefusal | null,
    requestId: string | null,
  ): Promise<void> {
    return appendUserAudit(db, {
      actor_id: person?.id ?? "anonymous",
      actor_role: person?.role ?? "ANONYMOUS",
      clinic_id: person?.clinic_id ?? null,
      action: "PASSWORD_SET",
      outcome: reason ? "DENIED" : "ALLOWED",
      reason,
      target_user_id: person?.id ?? null,
      request_id: requestId,
    });
  }

  private record(
    db: Db,
    { user, requestId }: Actor,
    action: UserAction,
    refusal: UserRefusal | null,
    targetId: string | null,
  ): Promise<void> {
    return appendUserAudit(db, {
      actor_id: user.id,
      actor_role: user.role,
      clinic_id: user.clinic_id,
      action,
      outcome: refusal ? "DENIED" : "ALLOWED",
      reason: refusal,
      target_user_id: targetId,
      request_id: requestId,
    });
  }
}

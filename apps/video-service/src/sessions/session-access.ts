import { type AuthUser, withTransaction } from "@clinic/platform";
import { type AuditEntry, appendAuditReturningId, appendAuditRows, auditColumns } from "../audit/audit.repository.ts";
import { type AuditBatcher, createAuditBatcher } from "../audit/audit-batcher.ts";
import { NotYourSession, WebhookNotFound } from "../errors.ts";
import type { VideoDb, VideoTrx } from "../tables.ts";
import { findClinicOfSession } from "./sessions.repository.ts";

/**
 * "Is this session theirs?" — answered here and nowhere else, and every
 * answer, yes or no, is written to the append-only audit log with who, role, action,
 * session and request id. `check`'s rows are written outside any change's transaction;
 * concurrent requests' rows are group-committed (audit-batcher.ts), and each call returns only
 * once its own row is committed. `allowWithin` (the state changes of the consultation cycle:
 * join, end, consent, waiting room, start) commits an allowed access's row in the change's own
 * transaction, so the change and the record of who made it commit together, in one commit;
 * when the step fails before that transaction commits (a 409, a provider error, a rollback),
 * the row is written on its own before the error is answered. A refusal is written at once,
 * as with `check`.
 */
export type SessionOperation =
  | "list"
  | "read"
  | "start"
  | "join"
  | "end"
  | "updateNotes"
  | "readNotesDraft"
  | "saveNotesDraft"
  | "readUsage"
  // Telehealth consent and the FHIR export (issue 16).
  | "readConsentText"
  | "updateConsentText"
  | "recordConsent"
  | "exportEncounter"
  | "exportNotes"
  // Participant control (issue 12): the session's doctor mutes or removes a participant.
  | "muteAttendee"
  | "removeAttendee"
  // Each attendee's call-quality summary at hang-up (issue 12).
  | "reportCallQuality"
  // The pre-call connectivity check (issue 12): names no session, everyone signed in may run it.
  | "checkConnectivity"
  // The waiting room (issue 12): the session's doctor lets a patient in, or turns auto-admit on/off.
  | "admit"
  | "updateWaitingRoom"
  // Under Chime: the caller's own attendee's Chime credentials, once the waiting room let them in.
  | "readMediaCredentials";

/** What a person may see of a session: the doctor everything, patient and admin no notes or rating. */
export type SessionView = "full" | "redacted";

export interface Actor {
  user: AuthUser;
  requestId: string;
}

/**
 * A signalling connect (embedded provider): there is no signed-in user, only the join
 * token, which may be missing, forged, expired or another session's.
 */
export interface SignalConnectAttempt {
  /** From the verified join token; undefined when the token did not verify (an anonymous attempt). */
  userId?: string | undefined;
  /** The attendee's user type when known, else "ATTENDEE". */
  role?: string | undefined;
  /** The session the connection asked for (the URL's). */
  sessionId: string;
  /** Its clinic when the caller already read the session; else it is looked up here. */
  clinicId?: string | null | undefined;
  requestId: string;
  clientAddress: string;
}

export interface SessionFacts {
  session_id: string | null;
  appointment_id: string | null;
  doctor_id: string;
  patient_id: string;
  clinic_id: string;
  /** readMediaCredentials: whose attendee is asked for (undefined when there is no such attendee). */
  attendee_user_id?: string | undefined;
}

const roleRefusal = "You are not authorized to access this appointment";

/** What an invite holder may do (issue 11): what the patient's call screen needs, nothing more. */
const inviteOperations: ReadonlySet<SessionOperation> = new Set([
  "read",
  "join",
  "recordConsent",
  "readConsentText",
  "checkConnectivity",
  "reportCallQuality",
  "readMediaCredentials",
]);

/** The rules, pure: null means refused. */
export function decide(user: AuthUser, op: SessionOperation, facts?: SessionFacts): SessionView | null {
  // An invite-scoped token opens its own appointment's session only (the consent text is
  // its clinic's, read before joining); then the patient's rules below apply as well.
  if (user.invite) {
    if (!inviteOperations.has(op)) return null;
    const namesNoAppointment = op === "readConsentText" || op === "checkConnectivity";
    if (!namesNoAppointment && facts?.appointment_id !== user.invite.appointment_id) return null;
  }
  if (op === "list" || op === "readUsage") return user.role === "PATIENT" ? null : "full";
  // The consent text is the caller's own clinic's: everyone signed in reads it, its admins change it.
  if (op === "readConsentText" || op === "checkConnectivity") return "full";
  if (op === "updateConsentText") return user.role === "ADMIN" ? "full" : null;
  if (!facts) return null;
  const sameClinic = facts.clinic_id === user.clinic_id;
  const isDoctor = user.role === "DOCTOR" && facts.doctor_id === user.id && sameClinic;
  const isPatient = user.role === "PATIENT" && facts.patient_id === user.id && sameClinic;
  switch (op) {
    case "read":
      if (isDoctor) return "full";
      if (isPatient) return "redacted";
      return user.role === "ADMIN" && sameClinic ? "redacted" : null;
    case "join":
      return isDoctor ? "full" : isPatient ? "redacted" : null;
    case "recordConsent":
      return isPatient ? "redacted" : null;
    // Either attendee sends its own side's figures; nobody else has any.
    case "reportCallQuality":
      return isDoctor ? "full" : isPatient ? "redacted" : null;
    // Only one's own attendee: its Chime JoinToken opens the meeting's media as that person.
    case "readMediaCredentials":
      if (!isDoctor && !isPatient) return null;
      if (facts.attendee_user_id !== undefined && facts.attendee_user_id !== user.id) return null;
      return isDoctor ? "full" : "redacted";
    case "exportEncounter":
      if (isDoctor) return "full";
      return user.role === "ADMIN" && sameClinic ? "redacted" : null;
    // The notes as a FHIR DocumentReference: the doctor's alone, like the notes themselves.
    case "exportNotes":
      return isDoctor ? "full" : null;
    // Who gets into the call is the doctor's call alone (not an admin's, not an invite holder's).
    case "admit":
    case "updateWaitingRoom":
      return isDoctor ? "full" : null;
    case "start":
    case "end":
    case "muteAttendee":
    case "removeAttendee":
    case "updateNotes":
    case "readNotesDraft":
    case "saveNotesDraft":
      return isDoctor ? "full" : null;
  }
}

/** Whose usage figures a caller reads: the clinic's, or only one doctor's own sessions. */
export interface UsageScope {
  clinicId: string;
  /** Set for a doctor: only sessions they ran count. */
  doctorId?: string;
}

/**
 * The usage rule, pure (after `check(actor, "readUsage")` allowed the caller): an admin reads
 * the clinic's figures; a doctor only their own sessions', so no doctor learns how much
 * colleagues consult.
 */
export function usageScope(user: AuthUser): UsageScope {
  return user.role === "ADMIN" ? { clinicId: user.clinic_id } : { clinicId: user.clinic_id, doctorId: user.id };
}

export class SessionAccess {
  private readonly auditLog: AuditBatcher;
  constructor(private readonly db: VideoDb) {
    this.auditLog = createAuditBatcher(db);
  }

  /** Allows or throws 403; audits either way (`deferAllowed`: an allowed row is `allowWithin`'s to write). */
  async check(
    actor: Actor,
    op: SessionOperation,
    facts?: SessionFacts,
    options: { deferAllowed?: boolean } = {},
  ): Promise<SessionView> {
    const view = decide(actor.user, op, facts);
    if (!view || !options.deferAllowed) await this.audit(actor, op, view ? "ALLOWED" : "DENIED", facts);
    if (!view) {
      throw new NotYourSession(
        op === "list" || op === "readUsage"
          ? "Patients cannot list sessions or read usage"
          : op === "updateConsentText"
            ? "Only a clinic admin may change the consent text"
            : roleRefusal,
      );
    }
    return view;
  }

  /**
   * Decides `op` for a state change: refused → audited at once and 403 (as `check`); allowed →
   * `step` runs with an `AllowedAccess` whose `transaction` commits the access row (and any
   * change rows named) with the change. Whatever `step` answers or throws, the access row is
   * committed before this returns: with the change's transaction, or else on its own.
   */
  async allowWithin<T>(
    actor: Actor,
    op: SessionOperation,
    facts: SessionFacts,
    step: (access: AllowedAccess) => Promise<T>,
  ): Promise<T> {
    const access = await this.allow(actor, op, facts);
    let result: T;
    try {
      result = await step(access);
    } catch (err) {
      // An audit failure here answers 500 instead of the step's error: never an answer unaudited.
      await access.settle();
      throw err;
    }
    await access.settle();
    return result;
  }

  /**
   * `allowWithin` for a caller that cannot wrap its step in a callback: the caller must call
   * `settle()` on every way out (after the change committed, or before answering an error).
   */
  async allow(actor: Actor, op: SessionOperation, facts?: SessionFacts): Promise<AllowedAccess> {
    const view = await this.check(actor, op, facts, { deferAllowed: true });
    return new AllowedAccess(view, this.entry(actor, op, "ALLOWED", facts), this.auditLog);
  }

  /**
   * The pre-call connectivity check (everyone signed in): its audit row's id is the check id in
   * the TURN username it mints (`check-<id>`), so coturn's log maps to a person only through here.
   */
  async checkConnectivity(actor: Actor): Promise<number> {
    const view = decide(actor.user, "checkConnectivity");
    const id = await appendAuditReturningId(this.db, {
      actor_id: actor.user.id,
      actor_role: actor.user.role,
      clinic_id: actor.user.clinic_id,
      action: "session.checkConnectivity",
      outcome: view ? "ALLOWED" : "DENIED",
      session_id: null,
      appointment_id: null,
      request_id: actor.requestId,
    });
    if (!view) throw new NotYourSession(roleRefusal);
    return id;
  }

  /** Refuses a role that can never do `op`, before any lookup (e.g. a patient calling start). */
  async checkRole(actor: Actor, op: SessionOperation, allowed: AuthUser["role"][], appointmentId?: string) {
    if (allowed.includes(actor.user.role)) return;
    await this.audit(actor, op, "DENIED", undefined, appointmentId);
    throw new NotYourSession(`Only a ${allowed.join(" or ").toLowerCase()} may do this`);
  }

  /**
   * What an allowed person changed, when the access row alone does not say it: a consent
   * answer (`consent.given` / `consent.declined`, after it is stored).
   */
  async recordChange(actor: Actor, action: string, facts: SessionFacts): Promise<void> {
    await this.auditLog.append({
      actor_id: actor.user.id,
      actor_role: actor.user.role,
      clinic_id: actor.user.clinic_id,
      action,
      outcome: "ALLOWED",
      session_id: facts.session_id,
      appointment_id: facts.appointment_id,
      request_id: actor.requestId,
    });
  }

  /**
   * Every signalling connect on record, refused join tokens included, with the client's
   * address and the clinic of the session it asked for (null when there is no such session).
   * The decision itself is the token check and `recordConnect`'s.
   */
  async recordSignalConnect(attempt: SignalConnectAttempt, outcome: "ALLOWED" | "DENIED"): Promise<void> {
    const clinicId =
      attempt.clinicId !== undefined
        ? attempt.clinicId
        : ((await findClinicOfSession(this.db, attempt.sessionId)) ?? null);
    await this.auditLog.append({
      actor_id: attempt.userId ?? "anonymous",
      actor_role: attempt.userId ? (attempt.role ?? "ATTENDEE") : "ANONYMOUS",
      clinic_id: clinicId,
      action: "session.signal.connect",
      outcome,
      session_id: attempt.sessionId,
      appointment_id: null,
      request_id: attempt.requestId,
      client_address: attempt.clientAddress,
    });
  }

  /** A change made by the system itself (idle auto-end), for the record. */
  async recordSystem(action: string, facts: SessionFacts): Promise<void> {
    await this.auditLog.append({
      actor_id: "system",
      actor_role: "SYSTEM",
      clinic_id: facts.clinic_id,
      action,
      outcome: "ALLOWED",
      session_id: facts.session_id,
      appointment_id: facts.appointment_id,
      request_id: null,
    });
  }

  /**
   * Webhook endpoints (issue 16): the clinic's admins only (others 403); an endpoint of
   * another clinic, like an unknown one, does not exist for them (404). Audited either way.
   */
  async checkWebhook(actor: Actor, op: WebhookOperation, endpoint?: { clinic_id: string } | null): Promise<void> {
    const answer = decideWebhook(actor.user, endpoint === undefined ? undefined : (endpoint?.clinic_id ?? null));
    await this.auditLog.append({
      actor_id: actor.user.id,
      actor_role: actor.user.role,
      clinic_id: actor.user.clinic_id,
      action: `webhook.${op}`,
      outcome: answer === "ALLOWED" ? "ALLOWED" : "DENIED",
      session_id: null,
      appointment_id: null,
      request_id: actor.requestId,
    });
    if (answer === "FORBIDDEN") throw new NotYourSession("Only a clinic admin may manage webhooks");
    if (answer === "NOT_FOUND") throw new WebhookNotFound();
  }

  private audit(
    actor: Actor,
    op: SessionOperation,
    outcome: "ALLOWED" | "DENIED",
    facts?: SessionFacts,
    appointmentId?: string,
  ): Promise<void> {
    return this.auditLog.append(this.entry(actor, op, outcome, facts, appointmentId));
  }

  private entry(
    actor: Actor,
    op: SessionOperation,
    outcome: "ALLOWED" | "DENIED",
    facts?: SessionFacts,
    appointmentId?: string,
  ): AuditEntry {
    return {
      actor_id: actor.user.id,
      actor_role: actor.user.role,
      clinic_id: actor.user.clinic_id,
      action: `session.${op}`,
      outcome,
      session_id: facts?.session_id ?? null,
      appointment_id: facts?.appointment_id ?? appointmentId ?? null,
      request_id: actor.requestId,
    };
  }
}

/**
 * An allowed access whose audit row is still to be committed (`SessionAccess.allowWithin`):
 * with the change, by `transaction` (or `writeIn` inside a transaction the caller runs, then
 * `committed` once it committed), or else on its own by `settle`.
 */
export class AllowedAccess {
  #committed = false;
  constructor(
    readonly view: SessionView,
    private readonly row: AuditEntry,
    private readonly auditLog: AuditBatcher,
  ) {}

  /**
   * Inside the change's transaction: the access row, and one row per `changes` action (what
   * the person changed, e.g. `consent.given`), in one INSERT.
   */
  writeIn(trx: VideoTrx, changes: string[] = []): Promise<void> {
    return appendAuditRows(trx, this.rows(changes));
  }

  private rows(changes: string[]): AuditEntry[] {
    return [this.row, ...changes.map((action) => ({ ...this.row, action }))];
  }

  /** The transaction that ran `writeIn` committed: the access is on record. */
  committed(): void {
    this.#committed = true;
  }

  /**
   * The access row (and `changes`' rows) for one statement sent outside any transaction that
   * carries them (e.g. `auditRowsWhenCte`): the caller calls `committed()` once that statement
   * wrote them, or else `settle` writes the access row on its own.
   */
  carried(changes: string[] = []): CarriedAudit {
    return new CarriedAudit(auditColumns(this.rows(changes)));
  }

  /** `fn` in a transaction that also commits the access row (and `changes`' rows). */
  async transaction<T>(db: VideoDb, fn: (trx: VideoTrx) => Promise<T>, changes: string[] = []): Promise<T> {
    const result = await withTransaction(db, async (trx) => {
      await this.writeIn(trx, changes);
      return fn(trx);
    });
    this.#committed = true;
    return result;
  }

  /**
   * As `transaction`, with the access row (and `changes`' rows) carried by the change's own first
   * statement instead of an INSERT of its own: `fn` gets a `CarriedAudit`, the parameters $1–$9
   * of a statement that begins with `auditRowsCte` (audit.repository.ts). Should `fn` commit
   * without having taken them, the rows are written before the commit all the same.
   */
  async transactionCarrying<T>(
    db: VideoDb,
    fn: (trx: VideoTrx, audit: CarriedAudit) => Promise<T>,
    changes: string[] = [],
  ): Promise<T> {
    const result = await withTransaction(db, async (trx) => {
      const audit = new CarriedAudit(auditColumns(this.rows(changes)));
      const value = await fn(trx, audit);
      if (!audit.taken) await this.writeIn(trx, changes);
      return value;
    });
    this.#committed = true;
    return result;
  }

  /** Not committed with a change: the access row alone (group-committed), before any answer. */
  async settle(): Promise<void> {
    if (this.#committed) return;
    await this.auditLog.append(this.row);
    this.#committed = true;
  }
}

/** Audit rows for a statement to carry (`AllowedAccess.transactionCarrying`). */
export class CarriedAudit {
  #taken = false;
  constructor(private readonly columns: (string | null)[][]) {}

  /** $1–$9 of a statement that begins with `auditRowsCte`; once only (the rows are inserted once). */
  params(): (string | null)[][] {
    if (this.#taken) throw new Error("audit rows already carried by a statement");
    this.#taken = true;
    return this.columns;
  }

  get taken(): boolean {
    return this.#taken;
  }
}

export type WebhookOperation = "create" | "list" | "delete" | "listDeliveries";

/** The webhook rule, pure. `endpointClinicId`: undefined for the collection, null for an unknown endpoint. */
function decideWebhook(user: AuthUser, endpointClinicId?: string | null): "ALLOWED" | "FORBIDDEN" | "NOT_FOUND" {
  if (user.role !== "ADMIN") return "FORBIDDEN";
  if (endpointClinicId === undefined) return "ALLOWED";
  return endpointClinicId === user.clinic_id ? "ALLOWED" : "NOT_FOUND";
}

import type {
  ConsentText,
  RecordConsentBody,
  RecordConsentResponse,
  SessionConsent,
  UpdateConsentTextBody,
} from "@clinic/contracts";
import { badRequest } from "@clinic/platform";
import { ConsentDeclined, ConsentRequired, ConsentTextOutdated, SessionNotFound } from "../errors.ts";
import type { Actor } from "../sessions/session-access.ts";
import { requireTransition, transitionsFrom } from "../sessions/session-state.ts";
import { findSession } from "../sessions/sessions.repository.ts";
import { factsOf } from "../sessions/sessions.service.ts";
import type { SessionsContext } from "../sessions/sessions-context.ts";
import {
  type ConsentAnswerRow,
  findLatestConsentAnswer,
  findLatestConsentTextAudited,
  insertNextConsentText,
  recordConsentAnswer,
} from "./consent.repository.ts";
import { toConsentText, toSessionConsent } from "./consent-views.ts";

/**
 * Telehealth consent (issue 16): the clinic's text, versioned, and the patient's answer per
 * session. With TELEHEALTH_CONSENT=required a patient joins only after the latest answer is
 * GIVEN; the doctor never needs one.
 */

/** Whether patients must answer before joining (TELEHEALTH_CONSENT), so pages know whether to ask. */
const consentRequired = (ctx: SessionsContext) => ctx.config.TELEHEALTH_CONSENT !== "off";

/** GET /consent-text: the caller's clinic's current text, or the built-in default (version 0). */
export async function getConsentText(ctx: SessionsContext, actor: Actor): Promise<ConsentText> {
  // The access row rides on the read (one statement, one commit); should the read fail, it is
  // written on its own before the error is answered.
  const access = await ctx.access.allow(actor, "readConsentText");
  try {
    const clinicId = actor.user.clinic_id;
    const row = await findLatestConsentTextAudited(ctx.db, clinicId, access.carried());
    access.committed();
    return toConsentText(clinicId, row, consentRequired(ctx));
  } finally {
    await access.settle();
  }
}

/** PUT /consent-text: a clinic admin saves a new version (previous + 1); older ones stay on record. */
export async function updateConsentText(
  ctx: SessionsContext,
  actor: Actor,
  body: UpdateConsentTextBody,
): Promise<ConsentText> {
  await ctx.access.check(actor, "updateConsentText");
  if (body.text.trim().length < 20) {
    throw badRequest(
      "The consent text needs at least 20 characters besides leading and trailing spaces",
      "VALIDATION_FAILED",
    );
  }
  const clinicId = actor.user.clinic_id;
  // A concurrent save took the same number: read the new newest and go again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await insertNextConsentText(ctx.db, {
      clinic_id: clinicId,
      text: body.text,
      created_at: ctx.now(),
      created_by: actor.user.id,
    });
    if (row) return toConsentText(clinicId, row, consentRequired(ctx));
  }
  throw new Error("could not save the consent text: the version kept being taken");
}

/**
 * POST /sessions/{id}/consent: the session's own patient answers, for the text version they
 * were shown. Every answer is kept; the latest counts.
 */
export async function recordConsent(
  ctx: SessionsContext,
  actor: Actor,
  sessionId: string,
  body: RecordConsentBody,
): Promise<RecordConsentResponse> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  const facts = factsOf(session);
  // The access row and the answer's own (`consent.given` / `consent.declined`) commit with the answer.
  return ctx.access.allowWithin(actor, "recordConsent", facts, async (access) => {
    requireTransition(sessionId, session.status, "recordConsent");
    // One statement, no transaction: under the session's row lock, the status and the clinic's
    // newest text version checked, the answer stored, and the access row and the answer's own
    // (`consent.given` / `consent.declined`) with it; nothing stored when refused (the access
    // row is then written on its own by allowWithin, before the 409).
    const recorded = await recordConsentAnswer(
      ctx.db,
      {
        session_id: sessionId,
        patient_id: actor.user.id,
        clinic_id: session.clinic_id,
        decision: body.decision,
        text_version: body.text_version,
        decided_at: ctx.now(),
      },
      access.carried([body.decision === "GIVEN" ? "consent.given" : "consent.declined"]),
      recordConsentFrom,
    );
    if (!recorded.answer) {
      if (!recorded.status) throw new SessionNotFound();
      requireTransition(sessionId, recorded.status, "recordConsent");
      if (body.text_version !== recorded.currentVersion) throw new ConsentTextOutdated(recorded.currentVersion);
      throw new Error("consent answer not stored");
    }
    access.committed();
    return { session_id: sessionId, ...(toSessionConsent(recorded.answer) as SessionConsent) };
  });
}

/** The states an answer may be stored in (checked again under the lock, in the statement). */
const recordConsentFrom = transitionsFrom("recordConsent");

/** A patient's join: refused until the latest answer is GIVEN, unless TELEHEALTH_CONSENT=off. */
export async function requireConsentToJoin(ctx: SessionsContext, sessionId: string): Promise<void> {
  if (ctx.config.TELEHEALTH_CONSENT === "off") return;
  refuseJoinWithout(ctx, sessionId, (await findLatestConsentAnswer(ctx.db, sessionId))?.decision);
}

/** `requireConsentToJoin` on the latest answer's decision already read (undefined/null: none yet). */
export function refuseJoinWithout(
  ctx: SessionsContext,
  sessionId: string,
  latest: ConsentAnswerRow["decision"] | null | undefined,
): void {
  if (ctx.config.TELEHEALTH_CONSENT === "off") return;
  if (!latest) throw new ConsentRequired(sessionId);
  if (latest === "DECLINED") throw new ConsentDeclined(sessionId);
}

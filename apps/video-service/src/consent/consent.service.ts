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
import { requireTransition } from "../sessions/session-state.ts";
import { findSession } from "../sessions/sessions.repository.ts";
import { factsOf } from "../sessions/sessions.service.ts";
import type { SessionsContext } from "../sessions/sessions-context.ts";
import {
  type ConsentAnswerRow,
  findLatestConsentAnswer,
  findLatestConsentText,
  insertConsentAnswer,
  insertNextConsentText,
  lockSessionForConsent,
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
  await ctx.access.check(actor, "readConsentText");
  const clinicId = actor.user.clinic_id;
  return toConsentText(clinicId, await findLatestConsentText(ctx.db, clinicId), consentRequired(ctx));
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
    const answer = await access.transactionCarrying(
      ctx.db,
      async (trx, audit) => {
        // Under the session's row lock, so an answer never lands after the session ended.
        // With the clinic's newest text version (the default's: 0), read in the same statement.
        const locked = await lockSessionForConsent(trx, sessionId);
        if (!locked) throw new SessionNotFound();
        requireTransition(sessionId, locked.status, "recordConsent");
        const current = locked.text_version ?? 0;
        if (body.text_version !== current) throw new ConsentTextOutdated(current);
        // The access row and the answer's own ride on the insert.
        return insertConsentAnswer(
          trx,
          {
            session_id: sessionId,
            patient_id: actor.user.id,
            clinic_id: session.clinic_id,
            decision: body.decision,
            text_version: body.text_version,
            decided_at: ctx.now(),
          },
          audit,
        );
      },
      [body.decision === "GIVEN" ? "consent.given" : "consent.declined"],
    );
    return { session_id: sessionId, ...(toSessionConsent(answer) as SessionConsent) };
  });
}

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

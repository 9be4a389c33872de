import { whileLockHeld } from "@clinic/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Executor } from "../tables.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

/**
 * A consent answer is one statement (`recordConsentAnswer`): the session's row lock, its status
 * and the clinic's text version checked, the answer and its audit rows written only when both
 * allow it. What committed while the answer waited for the lock decides it. Real concurrency,
 * so PostgreSQL only (PGlite runs one statement at a time).
 */
describe.skipIf(!process.env.DATABASE_URL)("a consent answer that waited for the session's lock", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  /** `change` in a transaction holding the session's row lock while the patient's answer is sent and waits. */
  async function answerWhileLocked(sessionId: string, change: (trx: Executor) => Promise<void>) {
    const db = h.app.video.database.db;
    const version = (
      await h.app.inject({ url: "/api/video/consent-text", headers: await h.auth(users.patient) })
    ).json().version as number;
    const headers = await h.auth(users.patient);
    return whileLockHeld(db, {
      hold: async (trx) => {
        await sql`SELECT 1 FROM sessions WHERE session_id = ${sessionId} FOR UPDATE`.execute(trx);
        await change(trx);
      },
      request: () =>
        h.app.inject({
          method: "POST",
          url: `/api/video/sessions/${sessionId}/consent`,
          headers,
          payload: { decision: "GIVEN", text_version: version },
        }),
      // Until the answer's statement waits for the holder's transaction.
      never: "the answer never waited for the session's lock",
    });
  }

  const stored = (sessionId: string) =>
    h.app.video.database.db
      .selectFrom("consent_answers")
      .select(["patient_id", "decision"])
      .where("session_id", "=", sessionId)
      .execute();
  const patientRows = async (sessionId: string) =>
    (
      await h.app.video.database.db
        .selectFrom("audit_log")
        .select(["actor_id", "action", "outcome"])
        .where("session_id", "=", sessionId)
        .where("actor_id", "=", users.patient.id)
        .orderBy("id")
        .execute()
    ).map((r) => `${r.action} ${r.outcome}`);

  it("is refused by an end that committed while it waited: no answer, no consent.given, the access row alone", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    const response = await answerWhileLocked(sessionId, async (trx) => {
      await sql`UPDATE sessions SET status = 'COMPLETED', end_time = now() WHERE session_id = ${sessionId}`.execute(
        trx,
      );
    });
    expect(response.statusCode, response.body).toBe(409);
    expect(response.json()).toMatchObject({ code: "SESSION_ALREADY_ENDED" });
    expect(await stored(sessionId)).toEqual([]);
    expect(await patientRows(sessionId)).toEqual(["session.recordConsent ALLOWED"]);
  });

  it("is stored with its access and consent.given rows once the lock is given up unchanged", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    const response = await answerWhileLocked(sessionId, async () => {});
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ session_id: sessionId, decision: "GIVEN" });
    expect(await stored(sessionId)).toEqual([{ patient_id: users.patient.id, decision: "GIVEN" }]);
    expect(await patientRows(sessionId)).toEqual(["session.recordConsent ALLOWED", "consent.given ALLOWED"]);
  });
});

/** The consent text's read carries its access row (`findLatestConsentTextAudited`): one row per read, committed with it. */
describe("the consent text's read", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it("writes the reader's access row once per read, with the clinic's newest text", async () => {
    const db = h.app.video.database.db;
    const reads = () =>
      db
        .selectFrom("audit_log")
        .select(["actor_id", "clinic_id", "outcome", "session_id"])
        .where("action", "=", "session.readConsentText")
        .orderBy("id")
        .execute();
    const before = (await reads()).length;
    const headers = await h.auth(users.patient);
    const first = await h.app.inject({ url: "/api/video/consent-text", headers });
    expect(first.statusCode).toBe(200);
    const saved = await h.app.inject({
      method: "PUT",
      url: "/api/video/consent-text",
      headers: await h.auth(users.admin),
      payload: { text: "A newer consent text for the video consultation." },
    });
    expect(saved.statusCode).toBe(200);
    const second = await h.app.inject({ url: "/api/video/consent-text", headers });
    expect(second.json()).toMatchObject({ version: saved.json().version, text: saved.json().text });
    expect((await reads()).slice(before)).toEqual([
      { actor_id: users.patient.id, clinic_id: users.patient.clinic_id, outcome: "ALLOWED", session_id: null },
      { actor_id: users.patient.id, clinic_id: users.patient.clinic_id, outcome: "ALLOWED", session_id: null },
    ]);
  });
});

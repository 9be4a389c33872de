import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, busTopology } from "../support/bus.ts";
import { bookNow, createInvite, exchangeInvite, giveConsent, startSession } from "../support/flows.ts";
import { call } from "../support/http.ts";
import { type System, startSystem } from "../support/system.ts";

/**
 * Participant control (issue 12) across the services: the doctor removes the patient from the
 * call, and neither the patient's own sign-in nor the invite link they came with gets them back
 * — only an invite link the doctor makes afterwards does. The rule rests on the invite's
 * creation time, which travels appointments (resolve) → auth (the invite-scoped token's
 * `invite_issued_at`) → video (join).
 */
describe(`removed participants rejoin only with a new invite (${backend})`, () => {
  const topology = busTopology("removal");
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ bus: await topology.connect() });
  });
  afterAll(async () => {
    await system?.close();
    await topology.cleanup();
  });

  const video = (method: string, path: string, token: string) =>
    call(system.urls.video, method, path, { token, body: {} });
  const join = (sessionId: string, token: string) => video("POST", `/api/video/sessions/${sessionId}/join`, token);
  const exchange = async (linkToken: string) => {
    const exchanged = await exchangeInvite(system.urls.auth, linkToken);
    expect(exchanged.status, exchanged.text).toBe(200);
    return exchanged.body.access_token;
  };

  it("the old link and the patient's account are refused after the removal; a link made afterwards lets them in", async () => {
    const booked = await bookNow(system);
    const doctor = await system.token("doctor");
    const started = await startSession(system.urls.video, doctor, booked.id);
    expect(started.status, started.text).toBe(200);
    const sessionId = started.body.session_id;

    const firstLink = await createInvite(system, booked.id);
    const holder = await exchange(firstLink.token);
    await giveConsent(system.urls.video, holder, sessionId);
    const joined = await join(sessionId, holder);
    expect(joined.status, joined.text).toBe(200);
    const attendeeId = (joined.body as { attendee: { attendee_id: string } }).attendee.attendee_id;

    const removed = await video("POST", `/api/video/sessions/${sessionId}/attendees/${attendeeId}/remove`, doctor);
    expect(removed.status, removed.text).toBe(200);

    // The token in hand, the same link exchanged again (a fresh token of an old invite), the account.
    const refusals = [holder, await exchange(firstLink.token), await system.token("patient")];
    for (const token of refusals) {
      const refused = await join(sessionId, token);
      expect([refused.status, refused.body.code]).toEqual([403, "PARTICIPANT_REMOVED"]);
    }

    // The doctor sends a new link: in again.
    const secondLink = await createInvite(system, booked.id);
    const again = await join(sessionId, await exchange(secondLink.token));
    expect(again.status, again.text).toBe(200);
    // Still only by invite: the account alone stays refused.
    const account = await join(sessionId, await system.token("patient"));
    expect([account.status, account.body.code]).toEqual([403, "PARTICIPANT_REMOVED"]);
  });
});

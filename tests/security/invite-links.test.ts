import { eventually } from "@clinic/platform/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { backend, busTopology } from "../support/bus.ts";
import { bookNow, createInvite, endSession, exchangeInvite, giveConsent, startSession } from "../support/flows.ts";
import { call } from "../support/http.ts";
import { people } from "../support/people.ts";
import { type System, startSystem } from "../support/system.ts";

/**
 * Invite links across the services (issue 11): the doctor makes a link, the patient's page
 * exchanges it at the auth service (which asks the appointments service), waits for the
 * doctor, consents and joins the video session with the invite-scoped token — and nothing
 * else. Revocation, the end of the consultation and the end of the join window each close
 * the door, for the link and for a token already exchanged.
 */
describe(`invite links across auth, appointments and video (${backend})`, () => {
  const topology = busTopology("invites");
  let system: System;
  /** The appointments service's clock: moved past a join window without waiting. */
  let clockOffsetMs = 0;

  beforeAll(async () => {
    system = await startSystem({
      bus: await topology.connect(),
      gateway: true,
      // The later appointments of the doctor below may be started now (no waiting for their hour).
      env: { JOIN_WINDOW_BEFORE_MIN: "240" },
      appointmentsNow: () => new Date(Date.now() + clockOffsetMs),
    });
  });
  afterAll(async () => {
    await system?.close();
    await topology.cleanup();
  });
  beforeEach(() => {
    clockOffsetMs = 0;
  });

  const video = (method: string, path: string, token: string, body?: unknown) =>
    call(system.urls.video, method, path, { token, ...(body !== undefined ? { body } : {}) });
  const appointment = (id: string, token: string) =>
    call(system.urls.appointments, "GET", `/api/appointments/${id}`, { token });
  const join = (sessionId: string, token: string) => video("POST", `/api/video/sessions/${sessionId}/join`, token, {});

  it("lets the holder join once the doctor has started, and reach nothing else", async () => {
    const booked = await bookNow(system);
    const link = await createInvite(system, booked.id);
    // Through the gateway, as the /join page does.
    const exchanged = await exchangeInvite(system.urls.gateway, link.token, "/auth/api/auth/invite-token");
    expect(exchanged.status, exchanged.text).toBe(200);
    expect(exchanged.body.user).toMatchObject({ id: people.patient.id, role: "PATIENT" });
    expect(exchanged.body.invite).toMatchObject({ appointment_id: booked.id, status: "SCHEDULED", session_id: null });
    const holder = exchanged.body.access_token;

    // Waiting for the doctor: the page polls the appointment.
    const waiting = await appointment(booked.id, holder);
    expect(waiting.status, waiting.text).toBe(200);
    expect(waiting.body).toMatchObject({ status: "SCHEDULED", session_id: null });

    const doctor = await system.token("doctor");
    const started = await startSession(system.urls.video, doctor, booked.id);
    expect(started.status, started.text).toBe(200);
    const sessionId = started.body.session_id;

    // The call screen's steps: consent (text and answer), join, the session's details.
    await giveConsent(system.urls.video, holder, sessionId);
    const joined = await join(sessionId, holder);
    expect(joined.status, joined.text).toBe(200);
    expect(joined.body).toMatchObject({ session_id: sessionId, attendee: { join_token: expect.any(String) } });
    const details = await video("GET", `/api/video/sessions/${sessionId}`, holder);
    expect(details.status, details.text).toBe(200);
    expect(details.body).not.toHaveProperty("notes");

    // Everything else: refused by scope, in every service.
    const elsewhere: [string, string, string, unknown?][] = [
      [system.urls.auth, "GET", "/api/auth/me"],
      [system.urls.appointments, "GET", "/api/appointments"],
      [system.urls.appointments, "POST", `/api/appointments/${booked.id}/cancel`],
      [system.urls.appointments, "POST", `/api/appointments/${booked.id}/invites`],
      [system.urls.video, "GET", "/api/video/sessions"],
      [system.urls.video, "GET", "/api/video/metrics/usage"],
      [system.urls.video, "POST", `/api/video/sessions/${sessionId}/end`, {}],
      [system.urls.video, "GET", `/api/video/sessions/${sessionId}/notes/draft`],
      [system.urls.video, "GET", `/api/video/sessions/${sessionId}/fhir/Encounter`],
    ];
    for (const [base, method, path, body] of elsewhere) {
      const reply = await call(base, method, path, { token: holder, ...(body !== undefined ? { body } : {}) });
      expect(reply.status, `${method} ${path}: ${reply.text}`).toBe(403);
      expect(reply.body).toMatchObject({ code: "INVITE_SCOPE" });
    }
    // The link and the token never reach a log line.
    expect(system.logs.text()).not.toContain(link.token);
    expect(system.logs.text()).not.toContain(holder);
  });

  it("refuses the holder after the doctor revokes the link, and the link itself", async () => {
    const booked = await bookNow(system, "doctor", "patient", 60);
    const link = await createInvite(system, booked.id);
    const holder = (await exchangeInvite(system.urls.auth, link.token)).body.access_token;
    const started = await startSession(system.urls.video, await system.token("doctor"), booked.id);
    expect(started.status, started.text).toBe(200);
    const sessionId = started.body.session_id;
    await giveConsent(system.urls.video, holder, sessionId);

    const revoked = await call(system.urls.appointments, "DELETE", `/api/appointments/${booked.id}/invites`, {
      token: await system.token("admin"),
    });
    expect(revoked.status, revoked.text).toBe(204);
    const refused = await join(sessionId, holder);
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body).toMatchObject({ code: "INVITE_REVOKED" });
    expect((await video("GET", `/api/video/sessions/${sessionId}`, holder)).status).toBe(403);
    expect((await appointment(booked.id, holder)).body).toMatchObject({ status: 403, code: "INVITE_REVOKED" });
    const again = await exchangeInvite(system.urls.auth, link.token);
    expect(again.status).toBe(410);
    expect(again.body).toMatchObject({ code: "INVITE_REVOKED" });

    // A fresh link works again; the doctor ends the consultation; then the door is shut.
    const second = await createInvite(system, booked.id);
    const holder2 = (await exchangeInvite(system.urls.auth, second.token)).body.access_token;
    expect((await join(sessionId, holder2)).status).toBe(200);
    const ended = await endSession(system.urls.video, await system.token("doctor"), sessionId);
    expect(ended.status, ended.text).toBe(200);
    const afterEnd = await join(sessionId, holder2);
    expect(afterEnd.status, afterEnd.text).toBe(409);
    // Once the appointments service heard of the end, the link says so.
    const exchangedAfterEnd = await eventually("the link reports the end", async () => {
      const reply = await exchangeInvite(system.urls.auth, second.token);
      return reply.status === 200 ? undefined : reply;
    });
    expect(exchangedAfterEnd.status).toBe(410);
    expect(exchangedAfterEnd.body).toMatchObject({ code: "CONSULTATION_ENDED" });
  });

  it("refuses the holder once the join window has closed", async () => {
    const booked = await bookNow(system, "doctor", "patient", 120);
    const link = await createInvite(system, booked.id);
    const holder = (await exchangeInvite(system.urls.auth, link.token)).body.access_token;
    const started = await startSession(system.urls.video, await system.token("doctor"), booked.id);
    expect(started.status, started.text).toBe(200);
    const sessionId = started.body.session_id;
    await giveConsent(system.urls.video, holder, sessionId);

    // The appointments service's clock past the end of the window (start + 30 + 30 minutes).
    clockOffsetMs = Date.parse(link.expires_at) - Date.now() + 1000;
    const refused = await join(sessionId, holder);
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body).toMatchObject({ code: "INVITE_EXPIRED" });
    const exchanged = await exchangeInvite(system.urls.auth, link.token);
    expect(exchanged.status).toBe(410);
    expect(exchanged.body).toMatchObject({ code: "INVITE_EXPIRED" });
    // The doctor's own access is untouched.
    expect((await appointment(booked.id, await system.token("doctor"))).status).toBe(200);
  });

  it("answers 404 for a link never issued, through the gateway too", async () => {
    const reply = await exchangeInvite(system.urls.gateway, "A".repeat(43), "/auth/api/auth/invite-token");
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ code: "INVITE_NOT_FOUND" });
  });
});

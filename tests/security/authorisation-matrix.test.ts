import { demoUsers } from "@clinic/contracts";
import type { AuthUser } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, busTopology } from "../support/bus.ts";
import { bookNow, createInvite, exchangeInvite, startSession } from "../support/flows.ts";
import { call } from "../support/http.ts";
import { fillPath, type Operation, operationsOf } from "../support/openapi.ts";
import { people } from "../support/people.ts";
import { type System, startSystem } from "../support/system.ts";

type Identity =
  | "no token"
  | "expired"
  | "wrong signature"
  | "alg none"
  | "wrong audience"
  | "other clinic"
  | "other doctor"
  | "other patient"
  | "admin"
  | "invite holder";
const identities: Identity[] = [
  "no token",
  "expired",
  "wrong signature",
  "alg none",
  "wrong audience",
  "other clinic",
  "other doctor",
  "other patient",
  "admin",
  // The appointment's patient, holding an invite link of ANOTHER appointment of the clinic
  // (issue 11): an access token of scope "invite" for that other appointment.
  "invite holder",
];
const badTokens: Identity[] = ["no token", "expired", "wrong signature", "alg none", "wrong audience"];

/**
 * The invite holder is refused everywhere (403: INVITE_SCOPE where the route does not serve
 * invites, FORBIDDEN where it does but the record is not the invite's) — every operation of
 * `expected`, so a new endpoint gets this cell too. The one exception: the clinic's consent
 * text, which names no appointment and which every invite holder reads before joining.
 */
const inviteHolderExceptions: Record<string, number[]> = {
  "GET /api/video/consent-text": [200],
  // The pre-call connectivity check (issue 12) names no appointment either.
  "GET /api/video/connectivity": [200],
};
const inviteHolderExpected = (key: string): number[] => inviteHolderExceptions[key] ?? [403];

/**
 * Served to the invite of the appointment itself (not INVITE_SCOPE), though the matrix cannot
 * show a 2xx: its Chime media credentials, which a session on the embedded provider (and the
 * matrix's made-up attendee id) do not have — 404 or 409 here, 200 in chime-waiting-room.test.ts.
 */
const ownInviteServed: Record<string, number[]> = {
  "GET /api/video/sessions/{session_id}/attendees/{attendee_id}/media-credentials": [404, 409],
};

/**
 * What the invite of the appointment itself opens: the patient's call screen, nothing more
 * (in this order: the page waits on the appointment, consents, joins, shows the session).
 * Every other operation answers it 403 INVITE_SCOPE.
 */
const ownInviteAllowed = [
  "GET /api/appointments/{id}",
  "GET /api/video/consent-text",
  "GET /api/video/connectivity",
  "POST /api/video/sessions/{session_id}/consent",
  "POST /api/video/sessions/{session_id}/join",
  "GET /api/video/sessions/{session_id}",
  // The call screen's quality summary at hang-up (issue 12).
  "POST /api/video/sessions/{session_id}/quality",
];

/**
 * Who may do what, for the people other than the appointment's own doctor and patient
 * (the services' READMEs). An operation missing here fails the test: a new
 * endpoint must be given its row.
 */
const expected: Record<string, Partial<Record<Identity, number[]>>> = {
  "GET /api/auth/me": { "other clinic": [401], "other doctor": [401], "other patient": [401], admin: [401] },
  // The people directory (issue 11). `{user_id}` is a person of the demo clinic, another clinic
  // for every identity here: 404 like an unknown id. Provisioning is for admins only.
  "GET /api/auth/directory": { "other clinic": [200], "other doctor": [200], "other patient": [403], admin: [200] },
  "GET /api/auth/directory/{user_id}": {
    "other clinic": [404],
    "other doctor": [404],
    "other patient": [403],
    admin: [404],
  },
  "GET /api/auth/users": { "other clinic": [403], "other doctor": [403], "other patient": [403], admin: [200] },
  // 409 CLINIC_NOT_FOUND when the suite's auth service has no row for the test admin's clinic
  // (test people exist only as tokens); either way nobody but an admin gets past 403.
  "POST /api/auth/users": { "other clinic": [403], "other doctor": [403], "other patient": [403], admin: [201, 409] },
  "GET /api/auth/users/{user_id}": {
    "other clinic": [403],
    "other doctor": [403],
    "other patient": [403],
    admin: [404],
  },
  "PATCH /api/auth/users/{user_id}": {
    "other clinic": [403],
    "other doctor": [403],
    "other patient": [403],
    admin: [404],
  },
  "POST /api/auth/users/{user_id}/password-link": {
    "other clinic": [403],
    "other doctor": [403],
    "other patient": [403],
    admin: [404],
  },
  // Lists: everyone gets their own (the foreign data check below proves it is only theirs).
  "GET /api/appointments": { "other clinic": [200], "other doctor": [200], "other patient": [200], admin: [200] },
  "POST /api/appointments": { "other clinic": [201], "other doctor": [201], "other patient": [403], admin: [400] },
  "GET /api/appointments/{id}": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [200],
  },
  "POST /api/appointments/{id}/cancel": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [200],
  },
  "POST /api/appointments/{id}/reschedule": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [200],
  },
  // Invite links (issue 11): the appointment's doctor or a clinic admin.
  "POST /api/appointments/{id}/invites": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [201],
  },
  "DELETE /api/appointments/{id}/invites": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [204],
  },
  "GET /api/video/sessions": { "other clinic": [200], "other doctor": [200], "other patient": [403], admin: [200] },
  "POST /api/video/sessions/{appointment_id}/start": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  "POST /api/video/sessions/{session_id}/join": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  "GET /api/video/sessions/{session_id}": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [200],
  },
  "POST /api/video/sessions/{session_id}/end": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  "PUT /api/video/sessions/{session_id}/notes": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  // The notes draft is the doctor's alone, like the notes (issue 16).
  "GET /api/video/sessions/{session_id}/notes/draft": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  "PUT /api/video/sessions/{session_id}/notes/draft": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  // The quality record (issue 12): only the session's own doctor and patient send their side's figures.
  "POST /api/video/sessions/{session_id}/quality": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  // Telehealth consent (issue 16): everyone reads their own clinic's text, its admins change it;
  // only the session's patient answers.
  // Participant control (issue 12): the session's own doctor only.
  "POST /api/video/sessions/{session_id}/attendees/{attendee_id}/mute": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  "POST /api/video/sessions/{session_id}/attendees/{attendee_id}/remove": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  // The waiting room (issue 12): who gets into the call is the session's own doctor's decision alone.
  "POST /api/video/sessions/{session_id}/attendees/{attendee_id}/admit": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  "PUT /api/video/sessions/{session_id}/waiting-room": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  // Chime media credentials (issue 12): one's own attendee in one's own session only.
  "GET /api/video/sessions/{session_id}/attendees/{attendee_id}/media-credentials": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  "GET /api/video/consent-text": { "other clinic": [200], "other doctor": [200], "other patient": [200], admin: [200] },
  "PUT /api/video/consent-text": { "other clinic": [403], "other doctor": [403], "other patient": [403], admin: [200] },
  // The pre-call connectivity check (issue 12): everyone signed in, about no one's records.
  "GET /api/video/connectivity": { "other clinic": [200], "other doctor": [200], "other patient": [200], admin: [200] },
  "POST /api/video/sessions/{session_id}/consent": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  // The FHIR export: the session's doctor or a clinic admin; the admin passes and meets the
  // fixture still IN_PROGRESS (409).
  "GET /api/video/sessions/{session_id}/fhir/Encounter": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [409],
  },
  // The notes as a FHIR DocumentReference: the doctor's alone, like the notes.
  "GET /api/video/sessions/{session_id}/fhir/DocumentReference": {
    "other clinic": [403, 404],
    "other doctor": [403],
    "other patient": [403],
    admin: [403],
  },
  "GET /api/video/metrics/usage": {
    "other clinic": [200],
    "other doctor": [200],
    "other patient": [403],
    admin: [200],
  },
  // Webhook endpoints (issue 16): the clinic's admins only; the admin deletes the spare one.
  "POST /api/video/webhooks": { "other clinic": [403], "other doctor": [403], "other patient": [403], admin: [201] },
  "GET /api/video/webhooks": { "other clinic": [403], "other doctor": [403], "other patient": [403], admin: [200] },
  "GET /api/video/webhooks/{webhook_id}/deliveries": {
    "other clinic": [403],
    "other doctor": [403],
    "other patient": [403],
    admin: [200],
  },
  "DELETE /api/video/webhooks/{webhook_id}": {
    "other clinic": [403],
    "other doctor": [403],
    "other patient": [403],
    admin: [204],
  },
};

/** The attendee of the attendee routes: every cell is refused before it is looked up. */
const matrixAttendeeId = "attendee-00000000-0000-4000-8000-000000000000";

/** Valid bodies, so that only the identity decides the answer. */
const bodies: Record<string, (fixture: Fixture) => unknown> = {
  "POST /api/appointments": () => ({
    patient_id: "pat-matrix",
    patient_name: "Matrix Patient",
    start_time: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    duration_minutes: 15,
  }),
  "POST /api/appointments/{id}/reschedule": () => ({ start_time: new Date(Date.now() + 5 * 86_400_000).toISOString() }),
  "POST /api/video/sessions/{appointment_id}/start": () => ({ booking_type: "CLINIC_BASED" }),
  "POST /api/video/sessions/{session_id}/join": () => ({}),
  "POST /api/video/sessions/{session_id}/end": () => ({}),
  "POST /api/video/sessions/{session_id}/attendees/{attendee_id}/mute": () => ({}),
  "POST /api/video/sessions/{session_id}/attendees/{attendee_id}/remove": () => ({}),
  "PUT /api/video/sessions/{session_id}/waiting-room": () => ({ auto_admit: true }),
  "PUT /api/video/sessions/{session_id}/notes": () => ({ notes: "matrix note", quality_rating: 3 }),
  // A public address literal: no DNS needed, and no event of the matrix is ever sent to it.
  "POST /api/video/webhooks": () => ({ url: "https://93.184.215.14/matrix", events: ["usage.threshold_crossed"] }),
  "PUT /api/video/consent-text": () => ({ text: "Matrix consent text: do you agree to a video consultation?" }),
  "POST /api/video/sessions/{session_id}/consent": () => ({ decision: "GIVEN", text_version: 0 }),
  "PUT /api/video/sessions/{session_id}/notes/draft": () => ({ notes: "matrix draft", quality_rating: null }),
  "POST /api/video/sessions/{session_id}/quality": () => ({
    rtt_ms_median: 40,
    packet_loss_pct: 0.5,
    outgoing_kbps_median: 1200,
    incoming_kbps_median: 1100,
    sent_resolution: "1280x720",
    relay_seconds: 0,
    audio_only_seconds: 0,
    call_seconds: 300,
  }),
  "POST /api/auth/users": () => ({ role: "PATIENT", name: "Matrix Person", email: "matrix-person@clinic1.test" }),
  "PATCH /api/auth/users/{user_id}": () => ({ name: "Renamed By The Matrix" }),
};

interface Fixture {
  appointmentId: string;
  /** Other appointments of the same people, for the admin's allowed changes (cancel, reschedule). */
  spareAppointmentIds: [string, string];
  sessionId: string;
  secretNote: string;
  /** The clinic's webhook endpoints: one the cells read, a spare the admin deletes. */
  webhookIds: [string, string];
  /** An invite-scoped access token of another appointment of the same patient (the "invite holder"). */
  otherInviteToken: string;
}

const identityUser: Partial<Record<Identity, AuthUser>> = {
  "other clinic": people.otherClinicDoctor,
  "other doctor": people.otherDoctor,
  "other patient": people.otherPatient,
  admin: people.admin,
};

/**
 * Generated from the OpenAPI documents the services serve: every secured operation of auth,
 * appointments and video × nine callers. The five broken tokens are always 401; the other
 * people get what `expected` says. No refused answer (and no answer to someone else) carries
 * the appointment's people's names, emails or the doctor's notes.
 */
describe(`authorisation matrix generated from OpenAPI (${backend})`, () => {
  const topology = busTopology("matrix");
  let system: System;
  let fixture: Fixture;
  const foreign = [people.patient.name, people.patient.email, people.doctor.name, people.doctor.email];

  beforeAll(async () => {
    // The booking cells book "pat-matrix": a patient of each clinic in the bookings' directory.
    const matrixPatient = {
      id: "pat-matrix",
      role: "PATIENT",
      name: "Matrix Patient",
      email: "",
      active: true,
    } as const;
    system = await startSystem({
      bus: await topology.connect(),
      directoryPeople: ["clinic-1", "clinic-2"].map((clinic_id) => ({ ...matrixPatient, clinic_id })),
    });
    const doctor = await system.token("doctor");
    const appointment = await bookNow(system);
    const spare = await bookNow(system, "doctor", "patient", 24 * 60);
    const spare2 = await bookNow(system, "doctor", "patient", 48 * 60);
    const started = await startSession(system.urls.video, doctor, appointment.id);
    expect(started.status, started.text).toBe(200);
    const secretNote = "Suspected arrhythmia, refer to cardiology";
    // The doctor's draft holds the secret: no refused answer may carry it.
    const draft = await call(system.urls.video, "PUT", `/api/video/sessions/${started.body.session_id}/notes/draft`, {
      token: doctor,
      body: { notes: secretNote },
    });
    expect(draft.status, draft.text).toBe(200);
    const webhook = async () => {
      const created = await call<{ id: string }>(system.urls.video, "POST", "/api/video/webhooks", {
        token: await system.token("admin"),
        body: bodies["POST /api/video/webhooks"]?.(fixture),
      });
      expect(created.status, created.text).toBe(201);
      return created.body.id;
    };
    // The invite holder: the same patient, through a link of a third appointment.
    const other = await bookNow(system, "doctor", "patient", 72 * 60);
    const exchanged = await exchangeInvite(system.urls.auth, (await createInvite(system, other.id)).token);
    expect(exchanged.status, exchanged.text).toBe(200);
    fixture = {
      appointmentId: appointment.id,
      spareAppointmentIds: [spare.id, spare2.id],
      sessionId: started.body.session_id,
      secretNote,
      webhookIds: [await webhook(), await webhook()],
      otherInviteToken: exchanged.body.access_token,
    };
  });
  afterAll(async () => {
    await system?.close();
    await topology.cleanup();
  });

  it("covers every secured operation of every service", () => {
    const operations = secured();
    expect(operations.length).toBeGreaterThanOrEqual(13);
    expect(operations.map((o) => o.key).filter((k) => !expected[k])).toEqual([]);
  });

  const secured = (): Operation[] =>
    (["auth", "appointments", "video"] as const).flatMap((name) =>
      operationsOf(name, system.apps[name] as NonNullable<System["apps"]["video"]>).filter((o) => o.secured),
    );

  it("answers every operation × identity as expected, leaking nobody's data", async () => {
    const forged = await system.tokens.forged(people.doctor);
    const tokenOf = async (identity: Identity): Promise<string | undefined> => {
      switch (identity) {
        case "no token":
          return undefined;
        case "expired":
          return forged.expired;
        case "wrong signature":
          return forged.wrongSignature;
        case "alg none":
          return forged.algNone;
        case "wrong audience":
          return forged.wrongAudience;
        case "invite holder":
          return fixture.otherInviteToken;
        default:
          return system.token(identityUser[identity] as AuthUser);
      }
    };
    const base = { auth: system.urls.auth, appointments: system.urls.appointments, video: system.urls.video };
    const mismatches: string[] = [];
    const leaks: string[] = [];
    // Admin's allowed changes go last and to the spare appointment, so they do not change
    // the fixture under the other cells.
    for (const op of secured()) {
      for (const identity of identities) {
        const id =
          identity === "admin" && op.method !== "GET"
            ? fixture.spareAppointmentIds[op.path.endsWith("/cancel") ? 0 : 1]
            : fixture.appointmentId;
        const path = fillPath(op.path, {
          id,
          appointment_id: id,
          session_id: fixture.sessionId,
          webhook_id: fixture.webhookIds[identity === "admin" && op.method === "DELETE" ? 1 : 0],
          user_id: demoUsers.patient.id,
          // Attendee routes (participant control, waiting room): refused before the attendee is looked up.
          attendee_id: matrixAttendeeId,
        });
        const token = await tokenOf(identity);
        const body = bodies[op.key]?.(fixture);
        const reply = await call(base[op.service as keyof typeof base], op.method, path, {
          ...(token ? { token } : {}),
          ...(body !== undefined ? { body } : {}),
        });
        const allowed = badTokens.includes(identity)
          ? [401]
          : identity === "invite holder"
            ? inviteHolderExpected(op.key)
            : (expected[op.key]?.[identity] ?? []);
        if (!allowed.includes(reply.status))
          mismatches.push(`${op.key} as ${identity}: ${reply.status} ${reply.text.slice(0, 160)}`);
        if (reply.status >= 400) expect(reply.body).toMatchObject({ status: reply.status, code: expect.any(String) });
        const seesFixture = identity === "admin" && reply.status < 400;
        if (!seesFixture) {
          for (const secret of [...foreign, fixture.secretNote]) {
            if (reply.text.includes(secret))
              leaks.push(`${op.key} as ${identity} (${reply.status}) contains "${secret}"`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(leaks).toEqual([]);
  });

  it("opens the patient's call screen to the invite of the appointment itself, and nothing else", async () => {
    const link = await createInvite(system, fixture.appointmentId);
    const exchanged = await exchangeInvite(system.urls.auth, link.token);
    expect(exchanged.status, exchanged.text).toBe(200);
    const token = exchanged.body.access_token;
    const base = { auth: system.urls.auth, appointments: system.urls.appointments, video: system.urls.video };
    const operations = secured();
    const path = (op: Operation) =>
      fillPath(op.path, {
        id: fixture.appointmentId,
        appointment_id: fixture.appointmentId,
        session_id: fixture.sessionId,
        webhook_id: fixture.webhookIds[0],
        user_id: demoUsers.patient.id,
        attendee_id: matrixAttendeeId,
      });
    const mismatches: string[] = [];
    for (const op of operations.filter((o) => !ownInviteAllowed.includes(o.key))) {
      const body = bodies[op.key]?.(fixture);
      const reply = await call(base[op.service as keyof typeof base], op.method, path(op), {
        token,
        ...(body !== undefined ? { body } : {}),
      });
      const served = ownInviteServed[op.key];
      if (served) {
        if (!served.includes(reply.status)) mismatches.push(`${op.key}: ${reply.status} ${reply.text.slice(0, 160)}`);
        continue;
      }
      if (reply.status !== 403 || reply.body.code !== "INVITE_SCOPE")
        mismatches.push(`${op.key}: ${reply.status} ${reply.text.slice(0, 160)}`);
    }
    expect(mismatches).toEqual([]);
    // The allowed ones exist and answer 2xx, in the page's order; the consent answers the
    // clinic's current text (the admin's cell above may have changed it).
    const byKey = new Map(operations.map((o) => [o.key, o]));
    let consentVersion = 0;
    for (const key of ownInviteAllowed) {
      const op = byKey.get(key);
      expect(op, key).toBeDefined();
      if (!op) continue;
      const body =
        key === "POST /api/video/sessions/{session_id}/consent"
          ? { decision: "GIVEN", text_version: consentVersion }
          : bodies[key]?.(fixture);
      const reply = await call(base[op.service as keyof typeof base], op.method, path(op), {
        token,
        ...(body !== undefined ? { body } : {}),
      });
      expect(reply.status, `${key}: ${reply.text.slice(0, 160)}`).toBeGreaterThanOrEqual(200);
      expect(reply.status, `${key}: ${reply.text.slice(0, 160)}`).toBeLessThan(300);
      if (key === "GET /api/video/consent-text") consentVersion = Number(reply.body.version);
      expect(reply.text).not.toContain(fixture.secretNote);
    }
  });
});

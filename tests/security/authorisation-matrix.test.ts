import type { AuthUser } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, busTopology } from "../support/bus.ts";
import { bookNow, startSession } from "../support/flows.ts";
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
  | "admin";
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
];
const badTokens: Identity[] = ["no token", "expired", "wrong signature", "alg none", "wrong audience"];

/**
 * Who may do what, for the people other than the appointment's own doctor and patient
 * (the services' READMEs). An operation missing here fails the test: a new
 * endpoint must be given its row.
 */
const expected: Record<string, Partial<Record<Identity, number[]>>> = {
  "GET /api/auth/me": { "other clinic": [401], "other doctor": [401], "other patient": [401], admin: [401] },
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
  // Telehealth consent (issue 16): everyone reads their own clinic's text, its admins change it;
  // only the session's patient answers.
  "GET /api/video/consent-text": { "other clinic": [200], "other doctor": [200], "other patient": [200], admin: [200] },
  "PUT /api/video/consent-text": { "other clinic": [403], "other doctor": [403], "other patient": [403], admin: [200] },
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
  "PUT /api/video/sessions/{session_id}/notes": () => ({ notes: "matrix note", quality_rating: 3 }),
  // A public address literal: no DNS needed, and no event of the matrix is ever sent to it.
  "POST /api/video/webhooks": () => ({ url: "https://93.184.215.14/matrix", events: ["usage.threshold_crossed"] }),
  "PUT /api/video/consent-text": () => ({ text: "Matrix consent text: do you agree to a video consultation?" }),
  "POST /api/video/sessions/{session_id}/consent": () => ({ decision: "GIVEN", text_version: 0 }),
  "PUT /api/video/sessions/{session_id}/notes/draft": () => ({ notes: "matrix draft", quality_rating: null }),
};

interface Fixture {
  appointmentId: string;
  /** Other appointments of the same people, for the admin's allowed changes (cancel, reschedule). */
  spareAppointmentIds: [string, string];
  sessionId: string;
  secretNote: string;
  /** The clinic's webhook endpoints: one the cells read, a spare the admin deletes. */
  webhookIds: [string, string];
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
    system = await startSystem({ bus: await topology.connect() });
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
    fixture = {
      appointmentId: appointment.id,
      spareAppointmentIds: [spare.id, spare2.id],
      sessionId: started.body.session_id,
      secretNote,
      webhookIds: [await webhook(), await webhook()],
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
        });
        const token = await tokenOf(identity);
        const body = bodies[op.key]?.(fixture);
        const reply = await call(base[op.service as keyof typeof base], op.method, path, {
          ...(token ? { token } : {}),
          ...(body !== undefined ? { body } : {}),
        });
        const allowed = badTokens.includes(identity) ? [401] : (expected[op.key]?.[identity] ?? []);
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
});

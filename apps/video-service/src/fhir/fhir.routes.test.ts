import { randomUUID } from "node:crypto";
import type { AuthUser } from "@clinic/platform";
import type { Consent, DocumentReference, Encounter } from "@medplum/fhirtypes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fhirErrors } from "../testing/fhir-validator.ts";
import { connectSignal, type SignalClient, signalUrl } from "../testing/signal-client.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

/**
 * GET /api/video/sessions/{id}/fhir/Encounter through HTTP and real signalling sockets: every
 * Encounter is checked by the FHIR validator and field by field against the session's details.
 */
describe("FHIR R4 Encounter export", () => {
  let h: Harness;
  let base: string;
  const clients: SignalClient[] = [];
  const secretNotes = "Suspected arrhythmia, refer to cardiology";
  const minute = 60_000;

  beforeAll(async () => {
    h = await createHarness();
    base = await h.listen();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await h.close();
  });

  const encounterOf = async (sessionId: string, user: AuthUser = users.doctor) =>
    h.app.inject({ url: `/api/video/sessions/${sessionId}/fhir/Encounter`, headers: await h.auth(user) });
  const detailsOf = async (sessionId: string) =>
    (await h.app.inject({ url: `/api/video/sessions/${sessionId}`, headers: await h.auth(users.doctor) })).json();

  async function attend(sessionId: string, token: string) {
    const client = connectSignal(signalUrl(base, sessionId, token));
    clients.push(client);
    await client.next("welcome");
    return client;
  }
  async function leave(client: SignalClient, attendeeId: string) {
    client.close();
    await client.closed;
    for (let i = 0; i < 200; i++) {
      const row = await h.app.video.database.db
        .selectFrom("attendees")
        .select("status")
        .where("attendee_id", "=", attendeeId)
        .executeTakeFirst();
      if (row?.status === "LEFT") return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`attendee ${attendeeId} never left`);
  }
  async function end(sessionId: string) {
    const reply = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${sessionId}/end`,
      headers: await h.auth(users.doctor),
      payload: { notes: secretNotes, quality_rating: 4 },
    });
    expect(reply.statusCode, reply.body).toBe(200);
  }

  /** The export of a completed session: 200, FHIR JSON, valid, and matching the session. */
  async function validEncounter(sessionId: string, user: AuthUser = users.doctor): Promise<Encounter> {
    const reply = await encounterOf(sessionId, user);
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.headers["content-type"]).toBe("application/fhir+json; charset=utf-8");
    const encounter = reply.json() as Encounter;
    expect(fhirErrors(encounter)).toEqual([]);
    // Neither the notes, the rating nor the patient's name leave in an Encounter.
    expect(reply.body).not.toContain(secretNotes);
    expect(reply.body).not.toContain(users.patient.name);
    expect(reply.body).not.toMatch(/quality|rating|notes/i);

    const session = await detailsOf(sessionId);
    expect(encounter).toMatchObject({
      resourceType: "Encounter",
      id: session.session_id,
      identifier: [{ system: "urn:clinic-video:session-id", value: session.session_id }],
      status: "finished",
      class: { system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "VR", display: "virtual" },
      subject: { reference: `Patient/${session.patient_id}` },
      appointment: [{ reference: `Appointment/${session.appointment_id}` }],
      serviceProvider: { reference: `Organization/${session.clinic_id}` },
      period: { start: session.start_time, end: session.end_time },
      length: { value: session.duration_seconds / 60, unit: "min", system: "http://unitsofmeasure.org", code: "min" },
    });
    expect(encounter.participant).toHaveLength(1);
    expect(encounter.participant?.[0]).toMatchObject({
      type: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", code: "PPRF" }] }],
      individual: { reference: `Practitioner/${session.doctor_id}` },
    });
    return encounter;
  }

  it("a plain consultation: doctor and patient connected for 30 minutes", async () => {
    const { body } = await h.startedSession();
    const t0 = h.clock.now;
    const doctor = await attend(body.session_id, body.doctor_attendee.join_token);
    const patient = await h.join(body.session_id, users.patient);
    await attend(body.session_id, patient.attendee.join_token);
    h.advance(30 * minute);
    await end(body.session_id);
    doctor.close();

    const encounter = await validEncounter(body.session_id);
    const end30 = new Date(t0.getTime() + 30 * minute).toISOString();
    expect(encounter.period).toEqual({ start: t0.toISOString(), end: end30 });
    expect(encounter.length?.value).toBe(30);
    expect(encounter.participant?.[0]?.period).toEqual({ start: t0.toISOString(), end: end30 });
    // h.join gave consent first, as the patient's page does: it is contained and referenced.
    expect(encounter.extension).toEqual([
      {
        url: "urn:clinic-video:fhir:extension:telehealth-consent",
        valueReference: { reference: "#consent", display: "Telehealth consent" },
      },
    ]);
    expect(encounter.contained).toHaveLength(1);
    // The clinic admin reads the same resource.
    expect((await validEncounter(body.session_id, users.admin)).id).toBe(body.session_id);
  });

  it("reconnects: the doctor's participation runs from the first connect to the last leave", async () => {
    const { body } = await h.startedSession();
    const t0 = h.clock.now.getTime();
    h.advance(1 * minute);
    const first = await attend(body.session_id, body.doctor_attendee.join_token);
    const patient = await h.join(body.session_id, users.patient);
    const patientSocket = await attend(body.session_id, patient.attendee.join_token);
    h.advance(5 * minute);
    await leave(first, body.doctor_attendee.attendee_id);
    h.advance(1 * minute);
    const again = await h.join(body.session_id, users.doctor);
    await attend(body.session_id, again.attendee.join_token);
    // The patient drops and comes back too.
    h.advance(2 * minute);
    await leave(patientSocket, patient.attendee.attendee_id);
    const back = await h.join(body.session_id, users.patient);
    await attend(body.session_id, back.attendee.join_token);
    h.advance(12 * minute + 30_000);
    await end(body.session_id);

    const intervals = await h.app.video.database.db
      .selectFrom("attendance_intervals")
      .select("user_id")
      .where("session_id", "=", body.session_id)
      .execute();
    expect(intervals.filter((i) => i.user_id === users.doctor.id)).toHaveLength(2);
    expect(intervals.filter((i) => i.user_id === users.patient.id)).toHaveLength(2);

    const encounter = await validEncounter(body.session_id);
    expect(encounter.period).toEqual({
      start: new Date(t0).toISOString(),
      end: new Date(t0 + 21 * minute + 30_000).toISOString(),
    });
    expect(encounter.length?.value).toBe(21.5);
    expect(encounter.participant?.[0]?.period).toEqual({
      start: new Date(t0 + 1 * minute).toISOString(),
      end: new Date(t0 + 21 * minute + 30_000).toISOString(),
    });
  });

  it("a consultation the patient never joined: no consent, nothing contained", async () => {
    const { body } = await h.startedSession();
    await attend(body.session_id, body.doctor_attendee.join_token);
    h.advance(10 * minute);
    await end(body.session_id);

    const encounter = await validEncounter(body.session_id);
    expect((await detailsOf(body.session_id)).attendees).toHaveLength(1);
    expect(encounter).not.toHaveProperty("contained");
    expect(encounter).not.toHaveProperty("extension");
    expect(encounter.length?.value).toBe(10);
  });

  it("a doctor who never connected a signalling socket (no attendance): participant without a period", async () => {
    const { body } = await h.startedSession();
    h.advance(3 * minute);
    await end(body.session_id);
    const encounter = await validEncounter(body.session_id);
    expect(encounter.participant?.[0]).not.toHaveProperty("period");
  });

  it("consent given: an active Consent with the clinic's text version, referenced from the Encounter", async () => {
    const text = await h.app.inject({
      method: "PUT",
      url: "/api/video/consent-text",
      headers: await h.auth(users.admin),
      payload: { text: "Our clinic's own telehealth consent text, version one." },
    });
    expect(text.json().version).toBe(1);
    const { body } = await h.startedSession();
    h.advance(30_000);
    const answered = await h.consent(body.session_id);
    expect(answered.statusCode).toBe(200);
    const decidedAt = h.clock.now.toISOString();
    const patient = await h.join(body.session_id, users.patient);
    await attend(body.session_id, patient.attendee.join_token);
    h.advance(15 * minute);
    await end(body.session_id);

    const encounter = await validEncounter(body.session_id);
    expect(encounter.extension?.[0]?.valueReference?.reference).toBe("#consent");
    const consent = encounter.contained?.[0] as Consent;
    expect(consent).toMatchObject({
      resourceType: "Consent",
      id: "consent",
      status: "active",
      scope: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "treatment" }] },
      patient: { reference: `Patient/${users.patient.id}` },
      performer: [{ reference: `Patient/${users.patient.id}` }],
      organization: [{ reference: "Organization/clinic-1" }],
      dateTime: decidedAt,
      policy: [{ uri: "urn:clinic-video:consent-text:clinic-1:1" }],
      provision: { type: "permit" },
    });
    expect(consent.category?.[0]?.coding?.[0]).toMatchObject({ system: "http://loinc.org", code: "59284-0" });
    // The session shows the same answer.
    expect((await detailsOf(body.session_id)).consent).toEqual({
      decision: "GIVEN",
      text_version: 1,
      decided_at: decidedAt,
    });
  });

  it("consent declined: a rejected Consent, and the patient never joined", async () => {
    const { body } = await h.startedSession();
    await h.consent(body.session_id, users.patient, "DECLINED");
    const refused = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${body.session_id}/join`,
      headers: await h.auth(users.patient),
      payload: {},
    });
    expect(refused.json().code).toBe("CONSENT_DECLINED");
    h.advance(5 * minute);
    await end(body.session_id);

    const encounter = await validEncounter(body.session_id);
    expect(encounter.contained?.[0]).toMatchObject({
      resourceType: "Consent",
      status: "rejected",
      provision: { type: "deny" },
    });
    expect((await detailsOf(body.session_id)).attendees.map((a: { user_type: string }) => a.user_type)).toEqual([
      "DOCTOR",
    ]);
  });

  it("not before the end: 409 while IN_PROGRESS, CREATED or CANCELLED", async () => {
    const { body } = await h.startedSession();
    const running = await encounterOf(body.session_id);
    expect(running.statusCode).toBe(409);
    expect(running.headers["content-type"]).toMatch(/^application\/json/);
    expect(running.json()).toEqual({
      error: "The session is still in progress",
      status: 409,
      code: "SESSION_IN_PROGRESS",
      session_id: body.session_id,
      session_status: "IN_PROGRESS",
    });

    const { appointment, sessionId } = await h.bookedSession();
    expect((await encounterOf(sessionId)).json()).toMatchObject({ status: 409, code: "SESSION_NOT_STARTED" });
    await h.cancelAppointment(appointment.id);
    expect((await encounterOf(sessionId)).json()).toMatchObject({ status: 409, code: "SESSION_CANCELLED" });
  });

  it("404 for an unknown session, 400 for a malformed id, 401 without a token", async () => {
    const unknown = await encounterOf(`sess-${randomUUID()}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: "SESSION_NOT_FOUND" });
    expect((await encounterOf("sess-nope")).statusCode).toBe(400);
    const { body } = await h.startedSession();
    await end(body.session_id);
    const anonymous = await h.app.inject({ url: `/api/video/sessions/${body.session_id}/fhir/Encounter` });
    expect(anonymous.statusCode).toBe(401);
  });

  it("only the session's doctor and the clinic's admins: patient, other doctor, other clinic → 403, audited", async () => {
    const { body } = await h.startedSession();
    await end(body.session_id);
    const sameDoctorIdElsewhere = await h.tokens.sign({ ...users.doctor, clinic_id: users.foreignAdmin.clinic_id });
    const refusals = [
      await encounterOf(body.session_id, users.patient),
      await encounterOf(body.session_id, users.otherPatient),
      await encounterOf(body.session_id, users.otherDoctor),
      await encounterOf(body.session_id, users.foreignAdmin),
      await h.app.inject({
        url: `/api/video/sessions/${body.session_id}/fhir/Encounter`,
        headers: { authorization: `Bearer ${sameDoctorIdElsewhere}` },
      }),
    ];
    for (const reply of refusals) {
      expect(reply.statusCode).toBe(403);
      expect(reply.json()).toMatchObject({ status: 403, code: "FORBIDDEN" });
      expect(reply.body).not.toContain(users.patient.id);
    }
    expect((await encounterOf(body.session_id, users.doctor)).statusCode).toBe(200);
    expect((await encounterOf(body.session_id, users.admin)).statusCode).toBe(200);
    const audit = await h.app.video.database.db
      .selectFrom("audit_log")
      .select(["actor_id", "outcome"])
      .where("session_id", "=", body.session_id)
      .where("action", "=", "session.exportEncounter")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => `${a.actor_id} ${a.outcome}`)).toEqual([
      `${users.patient.id} DENIED`,
      `${users.otherPatient.id} DENIED`,
      `${users.otherDoctor.id} DENIED`,
      `${users.foreignAdmin.id} DENIED`,
      `${users.doctor.id} DENIED`,
      `${users.doctor.id} ALLOWED`,
      `${users.admin.id} ALLOWED`,
    ]);
  });

  it("is documented in OpenAPI as application/fhir+json", async () => {
    const docs = (await h.app.inject({ url: "/docs/json" })).json();
    for (const [resource, operationId] of [
      ["Encounter", "getSessionEncounter"],
      ["DocumentReference", "getSessionNotesDocument"],
    ]) {
      const operation = docs.paths[`/api/video/sessions/{session_id}/fhir/${resource}`].get;
      expect(operation.operationId).toBe(operationId);
      expect(Object.keys(operation.responses["200"].content)).toEqual(["application/fhir+json"]);
    }
  });

  describe("the notes as a DocumentReference", () => {
    const documentOf = async (sessionId: string, user: AuthUser = users.doctor) =>
      h.app.inject({ url: `/api/video/sessions/${sessionId}/fhir/DocumentReference`, headers: await h.auth(user) });

    it("gives the session's doctor the notes as text, valid, tied to the Encounter", async () => {
      const { body } = await h.startedSession();
      h.advance(20 * minute);
      await end(body.session_id);
      const reply = await documentOf(body.session_id);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.headers["content-type"]).toBe("application/fhir+json; charset=utf-8");
      const document = reply.json() as DocumentReference;
      expect(fhirErrors(document)).toEqual([]);
      const session = await detailsOf(body.session_id);
      expect(document).toMatchObject({
        resourceType: "DocumentReference",
        id: `${body.session_id}-notes`,
        status: "current",
        subject: { reference: `Patient/${users.patient.id}` },
        author: [{ reference: `Practitioner/${users.doctor.id}` }],
        date: session.updated_at,
        context: {
          encounter: [{ reference: `Encounter/${body.session_id}` }],
          period: { start: session.start_time, end: session.end_time },
        },
      });
      const data = document.content[0]?.attachment.data ?? "";
      expect(Buffer.from(data, "base64").toString("utf8")).toBe(secretNotes);
      // Not the rating, not the patient's name.
      expect(reply.body).not.toMatch(/quality|rating|John Doe/);
    });

    it("the doctor only: patient, admin, other doctor, other clinic → 403; 409 before the end; 404 without notes", async () => {
      const { body } = await h.startedSession();
      expect((await documentOf(body.session_id)).json()).toMatchObject({ status: 409, code: "SESSION_IN_PROGRESS" });
      await end(body.session_id);
      for (const user of [users.patient, users.admin, users.otherDoctor, users.foreignAdmin]) {
        const reply = await documentOf(body.session_id, user);
        expect(reply.statusCode, user.id).toBe(403);
        expect(reply.body).not.toContain(Buffer.from(secretNotes).toString("base64").slice(0, 20));
      }
      const audit = await h.app.video.database.db
        .selectFrom("audit_log")
        .select(["actor_id", "outcome"])
        .where("session_id", "=", body.session_id)
        .where("action", "=", "session.exportNotes")
        .orderBy("id")
        .execute();
      expect(audit.map((a) => `${a.actor_id} ${a.outcome}`)).toEqual([
        `${users.doctor.id} ALLOWED`,
        `${users.patient.id} DENIED`,
        `${users.admin.id} DENIED`,
        `${users.otherDoctor.id} DENIED`,
        `${users.foreignAdmin.id} DENIED`,
      ]);

      const silent = await h.startedSession();
      expect((await h.end(silent.body.session_id)).statusCode).toBe(200);
      const none = await documentOf(silent.body.session_id);
      expect(none.statusCode).toBe(404);
      expect(none.json()).toEqual({ error: "This session has no notes", status: 404, code: "NOTES_NOT_FOUND" });
      expect((await documentOf(`sess-${randomUUID()}`)).json()).toMatchObject({ code: "SESSION_NOT_FOUND" });
    });
  });
});

import { type Appointment, EventTypes } from "@clinic/contracts";
import { type App, type AuthUser, createTokenVerifier, type EventBus, makeEvent } from "@clinic/platform";
import { createTestTokens, testDatabase, testPeople } from "@clinic/platform/testing";
import type { DestinationStream } from "pino";
import { buildApp } from "../app.ts";
import { loadVideoConfig } from "../config.ts";
import type { MediaProvider } from "../meetings/media-provider.ts";
import type { InProcessSignalCluster } from "../signalling/signal-fanout.ts";
import type { Lookup } from "../webhooks/webhook-url.ts";
import { appointmentFixture, type FakeAppointments, startFakeAppointments } from "./fake-appointments.ts";

/** The people of the tests: the one list of test users, under this harness's keys. */
export const users = {
  doctor: testPeople.doctor,
  otherDoctor: testPeople.otherDoctor,
  patient: testPeople.patient,
  otherPatient: testPeople.otherPatient,
  admin: testPeople.admin,
  foreignAdmin: testPeople.otherClinicAdmin,
};

export interface HarnessOptions {
  env?: Record<string, string>;
  mediaProvider?: MediaProvider;
  bus?: EventBus;
  heartbeatTimeoutMs?: number;
  /** How long a start waits for a concurrent start of the same session (default 8 s). */
  startWaitMs?: number;
  logStream?: DestinationStream;
  /** Reuse a database (restart tests); default a fresh one, dropped on close. */
  database?: ReturnType<typeof testDatabase>;
  /** How webhook host names resolve (DNS rebinding tests). */
  webhookLookup?: Lookup;
  /** Links the signalling to other instances of this process without Redis (cluster tests). */
  signalCluster?: InProcessSignalCluster;
}

/**
 * The real app on PGlite (or PostgreSQL when DATABASE_URL is set), a fake appointments
 * service on a real port, test-signed access tokens and a clock the test moves.
 */
export async function createHarness(options: HarnessOptions = {}) {
  const tokens = await createTestTokens();
  const appointments: FakeAppointments = await startFakeAppointments();
  const database = options.database ?? testDatabase("video-service");
  const clock = { now: new Date() };
  const app: App = await buildApp({
    config: loadVideoConfig({ LOG_LEVEL: "silent", ...options.env }),
    database: database.options,
    verify: createTokenVerifier({ jwks: tokens.jwks, issuer: tokens.issuer, audience: tokens.audience }),
    appointmentsUrl: appointments.url,
    now: () => clock.now,
    ...(options.mediaProvider ? { mediaProvider: options.mediaProvider } : {}),
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
    ...(options.startWaitMs ? { startWaitMs: options.startWaitMs } : {}),
    ...(options.logStream ? { logStream: options.logStream } : {}),
    ...(options.webhookLookup ? { webhookLookup: options.webhookLookup } : {}),
    ...(options.signalCluster ? { signalCluster: options.signalCluster } : {}),
  });
  const tokenCache = new Map<string, string>();
  const token = async (user: AuthUser) => {
    const cached = tokenCache.get(user.id);
    if (cached) return cached;
    const signed = await tokens.sign(user);
    tokenCache.set(user.id, signed);
    return signed;
  };
  const auth = async (user: AuthUser) => ({ authorization: `Bearer ${await token(user)}` });

  return {
    app,
    tokens,
    appointments,
    database,
    clock,
    token,
    auth,
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
    /** An appointment of doc-1 with pat-1 starting now (inside the join window). */
    addAppointment(overrides: Partial<Appointment> = {}): Appointment {
      return appointments.add(appointmentFixture({ start_time: clock.now.toISOString(), ...overrides }));
    },
    async start(appointmentId: string, user: AuthUser = users.doctor) {
      return app.inject({
        method: "POST",
        url: `/api/video/sessions/${appointmentId}/start`,
        headers: await auth(user),
        payload: { booking_type: "CLINIC_BASED" },
      });
    },
    /** Starts a fresh appointment and returns the start body. */
    async startedSession(overrides: Partial<Appointment> = {}) {
      const appointment = this.addAppointment(overrides);
      const response = await this.start(appointment.id);
      if (response.statusCode !== 200) throw new Error(`start failed: ${response.body}`);
      return { appointment, body: response.json() };
    },
    /**
     * A started session with the doctor's and the joined patient's attendee ids and join tokens.
     * The doctor turned auto-admit on, so the patient meets the doctor at once; `waitingRoom: true`
     * leaves it off (the patient waits for `admit`).
     */
    async meeting(options: { waitingRoom?: boolean } = {}) {
      const { body } = await this.startedSession();
      if (!options.waitingRoom) await this.autoAdmit(body.session_id);
      const patient = await this.join(body.session_id, users.patient);
      return {
        sessionId: body.session_id as string,
        doctor: body.doctor_attendee as { attendee_id: string; join_token: string },
        patient: patient.attendee as { attendee_id: string; join_token: string },
      };
    },
    /**
     * A new appointment whose `appointment.booked` event reached the service: its session
     * exists and is CREATED (not started).
     */
    async bookedSession(
      overrides: Partial<Appointment> = {},
    ): Promise<{ appointment: Appointment; sessionId: string }> {
      const appointment = this.addAppointment(overrides);
      await app.video.handleEvent(appointmentBookedEvent(appointment));
      const row = await app.video.database.db
        .selectFrom("sessions")
        .select("session_id")
        .where("appointment_id", "=", appointment.id)
        .executeTakeFirstOrThrow();
      return { appointment, sessionId: row.session_id };
    },
    /** Delivers `appointment.cancelled` for an appointment of clinic-1. */
    async cancelAppointment(appointmentId: string): Promise<void> {
      await app.video.handleEvent(
        makeEvent(EventTypes.appointmentCancelled, "appointments-service", {
          appointment_id: appointmentId,
          clinic_id: "clinic-1",
          cancelled_at: clock.now.toISOString(),
        }),
      );
    },
    /** Listens on 127.0.0.1:0 (for WebSocket clients); returns the base URL. */
    async listen(): Promise<string> {
      return app.listen({ port: 0, host: "127.0.0.1" });
    },
    /**
     * The patient answers the telehealth consent to the clinic's current text (GIVEN by
     * default); returns the reply. A patient's join needs GIVEN (TELEHEALTH_CONSENT=required).
     */
    async consent(sessionId: string, user: AuthUser = users.patient, decision: "GIVEN" | "DECLINED" = "GIVEN") {
      const headers = await auth(user);
      const text = await app.inject({ url: "/api/video/consent-text", headers });
      if (text.statusCode !== 200) throw new Error(`consent text failed: ${text.body}`);
      return app.inject({
        method: "POST",
        url: `/api/video/sessions/${sessionId}/consent`,
        headers,
        payload: { decision, text_version: text.json().version },
      });
    },
    /** Joins as `user`; a patient gives consent first, as the patient's page does. */
    async join(sessionId: string, user: AuthUser) {
      if (user.role === "PATIENT") {
        const consent = await this.consent(sessionId, user);
        if (consent.statusCode !== 200) throw new Error(`consent failed: ${consent.body}`);
      }
      const response = await app.inject({
        method: "POST",
        url: `/api/video/sessions/${sessionId}/join`,
        headers: await auth(user),
        payload: {},
      });
      if (response.statusCode !== 200) throw new Error(`join failed: ${response.body}`);
      return response.json();
    },
    /** The doctor turns auto-admit on (or off) for the session: the patient need not wait for Admit. */
    async autoAdmit(sessionId: string, on = true, user: AuthUser = users.doctor) {
      const response = await app.inject({
        method: "PUT",
        url: `/api/video/sessions/${sessionId}/waiting-room`,
        headers: await auth(user),
        payload: { auto_admit: on },
      });
      if (response.statusCode !== 200) throw new Error(`waiting-room failed: ${response.body}`);
      return response.json();
    },
    /** The doctor admits a waiting attendee (the reply, whatever its status). */
    async admit(sessionId: string, attendeeId: string, user: AuthUser = users.doctor) {
      return app.inject({
        method: "POST",
        url: `/api/video/sessions/${sessionId}/attendees/${attendeeId}/admit`,
        headers: await auth(user),
      });
    },
    async end(sessionId: string, user: AuthUser = users.doctor) {
      return app.inject({
        method: "POST",
        url: `/api/video/sessions/${sessionId}/end`,
        headers: await auth(user),
        payload: {},
      });
    },
    /** The audit rows of `action` on the session, oldest first (insertion order). */
    async auditRows(action: string, sessionId: string) {
      return app.video.database.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", action)
        .where("session_id", "=", sessionId)
        .orderBy("id")
        .execute();
    },
    async close(keepDatabase = false) {
      await app.close();
      await appointments.close();
      if (!keepDatabase) await database.drop();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** The `appointment.booked` event the appointments service publishes for `appointment`. */
export function appointmentBookedEvent(appointment: Appointment) {
  return makeEvent(EventTypes.appointmentBooked, "appointments-service", {
    appointment_id: appointment.id,
    clinic_id: appointment.clinic_id,
    doctor_id: appointment.doctor_id,
    patient_id: appointment.patient_id,
    patient_name: appointment.patient_name,
    start_time: appointment.start_time,
    duration_minutes: appointment.duration_minutes,
    booking_type: "CLINIC_BASED",
    video_enabled: true,
  });
}

/**
 * Another instance of the service next to `h`'s (a replica): the same open database, clock,
 * access tokens and appointments service; its own signalling hub, linked to `h`'s through
 * Redis (REDIS_URL in `env`) or `signalCluster`. Closed by the caller, before `h`.
 */
export async function createPeer(
  h: Harness,
  options: Pick<HarnessOptions, "env" | "signalCluster" | "logStream" | "heartbeatTimeoutMs"> = {},
): Promise<App> {
  return buildApp({
    config: loadVideoConfig({ LOG_LEVEL: "silent", ...options.env }),
    sharedDatabase: h.app.video.database,
    verify: createTokenVerifier({ jwks: h.tokens.jwks, issuer: h.tokens.issuer, audience: h.tokens.audience }),
    appointmentsUrl: h.appointments.url,
    now: () => h.clock.now,
    ...(options.signalCluster ? { signalCluster: options.signalCluster } : {}),
    ...(options.logStream ? { logStream: options.logStream } : {}),
    ...(options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
  });
}

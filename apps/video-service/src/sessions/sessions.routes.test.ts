import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

const iso = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
const sessId = expect.stringMatching(/^sess-[0-9a-f-]{36}$/);

describe("video sessions: the guide's endpoints, happy paths", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("runs start → get → patient join → end → notes → list with the guide's shapes", async () => {
    const appointment = h.addAppointment();

    // Endpoint 2: start
    const start = await h.start(appointment.id);
    expect(start.statusCode).toBe(200);
    const started = start.json();
    expect(started).toMatchObject({
      session_id: sessId,
      appointment_id: appointment.id,
      status: "IN_PROGRESS",
      chime_meeting_id: expect.any(String),
      doctor_attendee: {
        attendee_id: expect.any(String),
        join_token: expect.any(String),
        external_user_id: users.doctor.id,
        email: users.doctor.email,
      },
      aws_media_urls: {
        audio_host_url: expect.any(String),
        video_host_url: expect.any(String),
        signaling_url: `ws://localhost:80/api/video/sessions/${started.session_id}/signal`,
      },
      media_provider: "embedded",
      ice_servers: [],
      created_at: iso,
    });
    const sessionId: string = started.session_id;

    // Endpoint 4: details, for the doctor (with notes and rating)
    const details = await h.app.inject({
      url: `/api/video/sessions/${sessionId}`,
      headers: await h.auth(users.doctor),
    });
    expect(details.statusCode).toBe(200);
    expect(details.json()).toMatchObject({
      session_id: sessionId,
      appointment_id: appointment.id,
      doctor_id: users.doctor.id,
      patient_id: users.patient.id,
      patient_name: users.patient.name,
      booking_type: "CLINIC_BASED",
      status: "IN_PROGRESS",
      chime_meeting_id: started.chime_meeting_id,
      start_time: iso,
      end_time: null,
      duration_seconds: 0,
      attendees: [
        {
          attendee_id: started.doctor_attendee.attendee_id,
          user_type: "DOCTOR",
          name: users.doctor.name,
          join_time: null,
          leave_time: null,
          status: "JOINING",
        },
      ],
      consent: null,
      quality_reports: [],
      notes: null,
      quality_rating: null,
      created_at: iso,
      updated_at: iso,
    });

    // Endpoint 3: the patient joins, after giving telehealth consent
    h.advance(5 * 60_000);
    expect((await h.consent(sessionId)).statusCode).toBe(200);
    const join = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${sessionId}/join`,
      headers: await h.auth(users.patient),
      payload: { device_info: "Chrome 120.0, Windows 10", browser_info: "Chrome" },
    });
    expect(join.statusCode).toBe(200);
    const joined = join.json();
    expect(joined).toMatchObject({
      session_id: sessionId,
      attendee: { attendee_id: expect.any(String), join_token: expect.any(String), external_user_id: users.patient.id },
      aws_media_urls: { signaling_url: expect.stringContaining(`/api/video/sessions/${sessionId}/signal`) },
      session_status: "IN_PROGRESS",
    });
    expect(joined.attendees.map((a: { user_type: string; status: string }) => [a.user_type, a.status])).toEqual([
      ["DOCTOR", "JOINING"],
      ["PATIENT", "JOINING"],
    ]);
    expect(joined.attendees[1].name).toBe(users.patient.name);

    // The patient reads their session: no notes, no rating.
    const patientView = await h.app.inject({
      url: `/api/video/sessions/${sessionId}`,
      headers: await h.auth(users.patient),
    });
    expect(patientView.statusCode).toBe(200);
    expect(patientView.json()).not.toHaveProperty("notes");
    expect(patientView.json()).not.toHaveProperty("quality_rating");
    expect(patientView.json()).toMatchObject({
      session_id: sessionId,
      duration_seconds: 300,
      consent: { decision: "GIVEN", text_version: 0, decided_at: h.clock.now.toISOString() },
    });

    // Endpoint 5: end
    h.advance(25 * 60_000);
    const notes = "Patient presented with chest pain symptoms. Recommended follow-up lab work.";
    const end = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${sessionId}/end`,
      headers: await h.auth(users.doctor),
      payload: { notes, quality_rating: 5 },
    });
    expect(end.statusCode).toBe(200);
    expect(end.json()).toEqual({
      session_id: sessionId,
      appointment_id: appointment.id,
      status: "COMPLETED",
      start_time: started.start_time,
      end_time: h.clock.now.toISOString(),
      duration_minutes: 30,
      duration_seconds: 1800,
      notes,
      quality_rating: 5,
      appointment_status: "COMPLETED",
      created_at: started.created_at,
      updated_at: h.clock.now.toISOString(),
    });

    // Endpoint 6: notes after the end
    h.advance(5 * 60_000);
    const update = await h.app.inject({
      method: "PUT",
      url: `/api/video/sessions/${sessionId}/notes`,
      headers: await h.auth(users.doctor),
      payload: { notes: "Updated consultation findings...", quality_rating: 4 },
    });
    expect(update.statusCode).toBe(200);
    expect(update.json()).toEqual({
      session_id: sessionId,
      notes: "Updated consultation findings...",
      quality_rating: 4,
      updated_at: h.clock.now.toISOString(),
    });

    const after = await h.app.inject({ url: `/api/video/sessions/${sessionId}`, headers: await h.auth(users.doctor) });
    expect(after.json()).toMatchObject({
      status: "COMPLETED",
      notes: "Updated consultation findings...",
      quality_rating: 4,
      duration_seconds: 1800,
    });
    expect(after.json().attendees.every((a: { status: string }) => a.status === "LEFT")).toBe(true);

    // Endpoint 1: list
    const list = await h.app.inject({
      url: "/api/video/sessions?limit=20&offset=0",
      headers: await h.auth(users.doctor),
    });
    expect(list.statusCode).toBe(200);
    const listed = list.json();
    expect(listed).toMatchObject({ total: expect.any(Number), limit: 20, offset: 0 });
    expect(listed.sessions.find((s: { session_id: string }) => s.session_id === sessionId)).toEqual({
      session_id: sessionId,
      booking_type: "CLINIC_BASED",
      appointment_id: appointment.id,
      doctor_id: users.doctor.id,
      patient_id: users.patient.id,
      patient_name: users.patient.name,
      clinic_id: "clinic-1",
      status: "COMPLETED",
      start_time: started.start_time,
      end_time: end.json().end_time,
      chime_meeting_id: started.chime_meeting_id,
      scheduled_start_time: iso,
      scheduled_duration_minutes: 30,
      created_at: started.created_at,
      updated_at: update.json().updated_at,
    });
    expect(h.appointments.seenAuthorization.at(-1)).toBe(`Bearer ${await h.token(users.doctor)}`);
  });

  it("lists with status filter, sort by start_time, pagination and a clinic-wide read-only view for admins", async () => {
    const a = h.addAppointment({ start_time: new Date(h.clock.now.getTime() - 5 * 60_000).toISOString() });
    await h.start(a.id);
    const b = h.addAppointment({ doctor_id: users.otherDoctor.id });
    await h.start(b.id, users.otherDoctor);

    const inProgress = await h.app.inject({
      url: "/api/video/sessions?status=IN_PROGRESS&sort=start_time&limit=1",
      headers: await h.auth(users.doctor),
    });
    expect(inProgress.statusCode).toBe(200);
    expect(inProgress.json()).toMatchObject({ total: 1, limit: 1, offset: 0 });
    expect(inProgress.json().sessions[0]).toMatchObject({ appointment_id: a.id, status: "IN_PROGRESS" });

    const page2 = await h.app.inject({
      url: "/api/video/sessions?limit=1&offset=1",
      headers: await h.auth(users.doctor),
    });
    expect(page2.json()).toMatchObject({ total: 2, offset: 1 });
    expect(page2.json().sessions).toHaveLength(1);

    const admin = await h.app.inject({ url: "/api/video/sessions?limit=100", headers: await h.auth(users.admin) });
    expect(admin.statusCode).toBe(200);
    const doctors = new Set(admin.json().sessions.map((s: { doctor_id: string }) => s.doctor_id));
    expect(doctors).toEqual(new Set([users.doctor.id, users.otherDoctor.id]));
    expect(admin.json().sessions[0]).not.toHaveProperty("notes");

    const foreign = await h.app.inject({ url: "/api/video/sessions", headers: await h.auth(users.foreignAdmin) });
    expect(foreign.json()).toMatchObject({ total: 0, sessions: [] });
  });

  it("join and end accept a POST without a body (all their fields are optional)", async () => {
    const { body } = await h.startedSession();
    await h.consent(body.session_id);
    const join = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${body.session_id}/join`,
      headers: await h.auth(users.patient),
    });
    expect(join.statusCode).toBe(200);
    const end = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${body.session_id}/end`,
      headers: await h.auth(users.doctor),
    });
    expect(end.statusCode).toBe(200);
    expect(end.json()).toMatchObject({ status: "COMPLETED", notes: null, quality_rating: null });
  });

  it("builds the signalling URL from the gateway's forwarded headers", async () => {
    const appointment = h.addAppointment();
    const response = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${appointment.id}/start`,
      headers: {
        ...(await h.auth(users.doctor)),
        host: "localhost:8000",
        "x-forwarded-proto": "https",
        "x-forwarded-prefix": "/video",
      },
      payload: { booking_type: "CLINIC_BASED" },
    });
    expect(response.json().aws_media_urls.signaling_url).toBe(
      `wss://localhost:8000/video/api/video/sessions/${response.json().session_id}/signal`,
    );
  });

  it("serves OpenAPI with all seven endpoints and a health check", async () => {
    const docs = await h.app.inject({ url: "/docs/json" });
    expect(docs.statusCode).toBe(200);
    const paths = Object.keys(docs.json().paths);
    for (const path of [
      "/api/video/sessions",
      "/api/video/sessions/{appointment_id}/start",
      "/api/video/sessions/{session_id}/join",
      "/api/video/sessions/{session_id}",
      "/api/video/sessions/{session_id}/end",
      "/api/video/sessions/{session_id}/notes",
      "/api/video/metrics/usage",
    ]) {
      expect(paths).toContain(path);
    }
    const health = await h.app.inject({ url: "/health" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({
      status: "UP",
      service: "video-service",
      instance: h.app.video.instanceId,
      checks: { database: "UP", appointments: "UP", event_bus: "UP" },
    });
    expect(health.headers["x-served-by"]).toBe(h.app.video.instanceId);
  });
});

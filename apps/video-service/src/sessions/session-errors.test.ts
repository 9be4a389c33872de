import { randomUUID } from "node:crypto";
import { EventTypes } from "@clinic/contracts";
import type { AuthUser } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

describe("the guide's 400/404/409 answers", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ env: { APPOINTMENTS_TIMEOUT_MS: "300" } });
  });
  afterAll(async () => {
    await h.close();
  });

  const post = async (url: string, payload: unknown, user: AuthUser = users.doctor) =>
    h.app.inject({ method: "POST", url, headers: await h.auth(user), payload: payload as object });
  const put = async (url: string, payload: unknown, user: AuthUser = users.doctor) =>
    h.app.inject({ method: "PUT", url, headers: await h.auth(user), payload: payload as object });
  const ended = async () => {
    const { body } = await h.startedSession();
    await post(`/api/video/sessions/${body.session_id}/end`, {});
    return body.session_id as string;
  };

  it.each([
    ["POST", "/api/video/sessions/not-an-id/start", { booking_type: "CLINIC_BASED" }],
    ["POST", "/api/video/sessions/appt-123/start", { booking_type: "CLINIC_BASED" }],
    ["POST", "/api/video/sessions/sess-nope/join", {}],
    ["GET", "/api/video/sessions/sess-nope", undefined],
    ["GET", `/api/video/sessions/appt-${randomUUID()}`, undefined],
    ["POST", "/api/video/sessions/123/end", {}],
    ["PUT", "/api/video/sessions/x/notes", { notes: "a" }],
  ])("%s %s with a malformed id → 400", async (method, url, payload) => {
    const response = await h.app.inject({
      method: method as "GET",
      url,
      headers: await h.auth(users.doctor),
      ...(payload ? { payload } : {}),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
  });

  it("unknown appointment → 404 Appointment not found", async () => {
    const response = await post(`/api/video/sessions/appt-${randomUUID()}/start`, { booking_type: "CLINIC_BASED" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "Appointment not found", status: 404, code: "APPOINTMENT_NOT_FOUND" });
  });

  it.each([
    ["POST", "join", {}],
    ["GET", "", undefined],
    ["POST", "end", {}],
    ["PUT", "notes", { notes: "x" }],
  ])("%s an unknown session (%s) → 404", async (method, action, payload) => {
    const response = await h.app.inject({
      method: method as "GET",
      url: `/api/video/sessions/sess-${randomUUID()}${action ? `/${action}` : ""}`,
      headers: await h.auth(users.doctor),
      ...(payload ? { payload } : {}),
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ status: 404, code: "SESSION_NOT_FOUND", error: "Session not found" });
  });

  it.each([
    [{}, "missing booking_type"],
    [{ booking_type: "DIRECT" }, "another booking type"],
    [{ booking_type: "CLINIC_BASED", extra: 1 }, "an unknown field"],
  ])("start with %j (%s) → 400", async (payload, _why) => {
    const response = await post(`/api/video/sessions/${h.addAppointment().id}/start`, payload);
    expect(response.statusCode).toBe(400);
  });

  it.each([["limit=101"], ["limit=0"], ["offset=-1"], ["status=DONE"], ["sort=name"], ["colour=blue"]])(
    "GET /sessions?%s → 400",
    async (query) => {
      const response = await h.app.inject({ url: `/api/video/sessions?${query}`, headers: await h.auth(users.doctor) });
      expect(response.statusCode).toBe(400);
    },
  );

  it.each([["2026-13"], ["2026-1"], ["january"]])("GET /metrics/usage?month=%s → 400", async (month) => {
    const response = await h.app.inject({
      url: `/api/video/metrics/usage?month=${month}`,
      headers: await h.auth(users.doctor),
    });
    expect(response.statusCode).toBe(400);
  });

  it("start twice → 409 SESSION_ALREADY_STARTED carrying the session id", async () => {
    const { appointment, body } = await h.startedSession();
    const again = await h.start(appointment.id);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({
      error: "Session already started for this appointment",
      status: 409,
      code: "SESSION_ALREADY_STARTED",
      session_id: body.session_id,
    });
  });

  it("start before or after the join window → 409 OUTSIDE_JOIN_WINDOW with the window", async () => {
    const early = h.addAppointment({ start_time: new Date(h.clock.now.getTime() + 11 * 60_000).toISOString() });
    const response = await h.start(early.id);
    expect(response.statusCode).toBe(409);
    const start = new Date(early.start_time).getTime();
    expect(response.json()).toMatchObject({
      code: "OUTSIDE_JOIN_WINDOW",
      window: {
        opens_at: new Date(start - 10 * 60_000).toISOString(),
        closes_at: new Date(start + 60 * 60_000).toISOString(),
      },
    });
    const late = h.addAppointment({ start_time: new Date(h.clock.now.getTime() - 61 * 60_000).toISOString() });
    expect((await h.start(late.id)).json().code).toBe("OUTSIDE_JOIN_WINDOW");
    const edge = h.addAppointment({ start_time: new Date(h.clock.now.getTime() + 10 * 60_000).toISOString() });
    expect((await h.start(edge.id)).statusCode).toBe(200);
  });

  it("cancelled or completed appointments → 409", async () => {
    const cancelled = h.addAppointment({ status: "CANCELLED" });
    expect((await h.start(cancelled.id)).json()).toMatchObject({ status: 409, code: "APPOINTMENT_CANCELLED" });
    const completed = h.addAppointment({ status: "COMPLETED" });
    expect((await h.start(completed.id)).json()).toMatchObject({ status: 409, code: "APPOINTMENT_COMPLETED" });
  });

  it("a session cancelled by appointment.cancelled cannot be started or joined", async () => {
    const { appointment, sessionId } = await h.bookedSession();
    const join = await post(`/api/video/sessions/${sessionId}/join`, {}, users.patient);
    expect(join.json()).toMatchObject({ status: 409, code: "SESSION_NOT_STARTED" });
    await h.cancelAppointment(appointment.id);
    expect((await h.start(appointment.id)).json()).toMatchObject({ status: 409, code: "SESSION_CANCELLED" });
  });

  it("end twice → 409 and only one completed event", async () => {
    const sessionId = await ended();
    const again = await post(`/api/video/sessions/${sessionId}/end`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "SESSION_ALREADY_ENDED", session_id: sessionId });
    const events = await h.app.video.database.db
      .selectFrom("outbox")
      .select("payload")
      .where("type", "=", EventTypes.consultationCompleted)
      .execute();
    const forSession = events.filter((e) => JSON.stringify(e.payload).includes(sessionId));
    expect(forSession).toHaveLength(1);
  });

  it("join or end a completed session → 409; notes before the end → 409", async () => {
    const sessionId = await ended();
    expect((await post(`/api/video/sessions/${sessionId}/join`, {}, users.patient)).json().code).toBe(
      "SESSION_ALREADY_ENDED",
    );
    const { body } = await h.startedSession();
    const early = await put(`/api/video/sessions/${body.session_id}/notes`, { notes: "too soon" });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe("SESSION_IN_PROGRESS");
  });

  it.each([
    [{ notes: "x".repeat(501) }],
    [{ quality_rating: 0 }],
    [{ quality_rating: 6 }],
    [{ quality_rating: 3.5 }],
    [{}],
    [{ notes: "ok", mood: "good" }],
  ])("notes with %j → 400", async (payload) => {
    const sessionId = await ended();
    const response = await put(`/api/video/sessions/${sessionId}/notes`, payload);
    expect(response.statusCode).toBe(400);
  });

  it("end with notes over 500 characters → 400, and the session stays in progress", async () => {
    const { body } = await h.startedSession();
    const response = await post(`/api/video/sessions/${body.session_id}/end`, { notes: "x".repeat(501) });
    expect(response.statusCode).toBe(400);
    const details = await h.app.inject({
      url: `/api/video/sessions/${body.session_id}`,
      headers: await h.auth(users.doctor),
    });
    expect(details.json().status).toBe("IN_PROGRESS");
  });

  it("accepts notes of exactly 500 characters", async () => {
    const sessionId = await ended();
    const response = await put(`/api/video/sessions/${sessionId}/notes`, { notes: "y".repeat(500) });
    expect(response.statusCode).toBe(200);
  });

  describe("when the appointments service misbehaves", () => {
    it.each([
      ["slow", 503, "APPOINTMENTS_UNAVAILABLE"],
      ["error", 503, "APPOINTMENTS_UNAVAILABLE"],
      ["garbage", 502, "APPOINTMENTS_BAD_RESPONSE"],
      ["forbidden", 403, "FORBIDDEN"],
    ] as const)("%s → %i %s", async (mode, status, code) => {
      const appointment = h.addAppointment();
      h.appointments.mode = mode;
      try {
        const response = await h.start(appointment.id);
        expect(response.statusCode).toBe(status);
        expect(response.json()).toMatchObject({ status, code });
      } finally {
        h.appointments.mode = "normal";
      }
    });

    it("down entirely → 503, and /health still answers 200 with appointments DOWN", async () => {
      await h.appointments.close();
      const response = await h.start(`appt-${randomUUID()}`);
      expect(response.statusCode).toBe(503);
      const health = await h.app.inject({ url: "/health" });
      expect(health.statusCode).toBe(200);
      expect(health.json().checks).toMatchObject({ database: "UP", appointments: "DOWN" });
    });
  });
});

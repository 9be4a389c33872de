import type { AuthUser } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedWithin, connectSignal, type SignalClient, signalUrl } from "../testing/signal-client.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

/** Each test uses its own clinic so usage figures do not mix. */
function clinic(name: string) {
  const doctor: AuthUser = { id: `doc-${name}`, role: "DOCTOR", clinic_id: name, name: "Dr. Who", email: "d@x.test" };
  const patient: AuthUser = {
    id: `pat-${name}`,
    role: "PATIENT",
    clinic_id: name,
    name: "Pat Ient",
    email: "p@x.test",
  };
  const admin: AuthUser = { id: `adm-${name}`, role: "ADMIN", clinic_id: name, name: "Ad Min", email: "a@x.test" };
  return { doctor, patient, admin, appointment: { clinic_id: name, doctor_id: doctor.id, patient_id: patient.id } };
}

async function waitForStatus(h: Harness, attendeeId: string, status: string) {
  for (let i = 0; i < 100; i++) {
    const row = await h.app.video.database.db
      .selectFrom("attendees")
      .select("status")
      .where("attendee_id", "=", attendeeId)
      .executeTakeFirst();
    if (row?.status === status) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`attendee ${attendeeId} never became ${status}`);
}

describe("usage metering over HTTP and signalling", () => {
  let h: Harness;
  let base: string;
  const clients: SignalClient[] = [];
  beforeAll(async () => {
    h = await createHarness({ env: { FREE_TIER_MINUTES: "40" } });
    base = await h.listen();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await h.close();
  });

  async function attend(sessionId: string, token: string) {
    const client = connectSignal(signalUrl(base, sessionId, token));
    clients.push(client);
    await client.next("welcome");
    return client;
  }

  async function consultation(c: ReturnType<typeof clinic>) {
    const appointment = h.addAppointment(c.appointment);
    const start = await h.start(appointment.id, c.doctor);
    expect(start.statusCode).toBe(200);
    const body = start.json();
    const patient = await h.join(body.session_id, c.patient);
    return { sessionId: body.session_id as string, doctorToken: body.doctor_attendee.join_token, patient };
  }

  const usage = async (user: AuthUser, month?: string) =>
    h.app.inject({ url: `/api/video/metrics/usage${month ? `?month=${month}` : ""}`, headers: await h.auth(user) });

  it("two attendees for 10 minutes = 20 attendee-minutes, in the guide's shape (50 % of 40: WARNING)", async () => {
    const c = clinic("clinic-a");
    const s = await consultation(c);
    await attend(s.sessionId, s.doctorToken);
    await attend(s.sessionId, s.patient.attendee.join_token);
    h.advance(10 * 60_000);
    await h.end(s.sessionId, c.doctor);
    const response = await usage(c.admin);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      month: h.clock.now.toISOString().slice(0, 7),
      time_zone: "UTC",
      clinic_id: "clinic-a",
      total_sessions: 1,
      total_attendee_minutes: 20,
      free_tier_limit: 40,
      usage_percentage: 50,
      remaining_minutes: 20,
      status: "WARNING",
      clinic_status: "WARNING",
      forecast_minutes: expect.any(Number),
      forecast_status: expect.stringMatching(/^(HEALTHY|WARNING|CRITICAL|EXCEEDED)$/),
      forecast_exceeds_on: expect.toBeOneOf([null, expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)]),
      daily: expect.any(Array),
      limit: 50,
      offset: 0,
      sessions: [
        {
          session_id: s.sessionId,
          patient_name: users.patient.name,
          start_time: expect.any(String),
          duration_minutes: 10,
          attendees: 2,
          attendee_minutes: 20,
        },
      ],
    });
    const today = h.clock.now.toISOString().slice(0, 10);
    expect(response.json().daily).toContainEqual({ date: today, attendee_minutes: 20 });
    expect(response.json().forecast_minutes).toBeGreaterThanOrEqual(20);
    expect((await usage(c.doctor)).json().total_attendee_minutes).toBe(20);
    // Another doctor of the clinic reads their own figures: none of this doctor's minutes or patients.
    const colleague: AuthUser = { ...c.doctor, id: "doc-colleague", name: "Dr. Other" };
    const seen = (await usage(colleague)).json();
    expect(seen).toMatchObject({ clinic_id: "clinic-a", total_attendee_minutes: 0, total_sessions: 0, sessions: [] });
    expect(JSON.stringify(seen)).not.toContain(users.patient.name);
    expect((await usage(c.doctor)).json().sessions[0].patient_name).toBe(users.patient.name);
  });

  it("sums a reconnecting attendee's intervals (4 + 5 minutes) and counts the person once", async () => {
    const c = clinic("clinic-b");
    const s = await consultation(c);
    await attend(s.sessionId, s.doctorToken);
    const first = await attend(s.sessionId, s.patient.attendee.join_token);
    h.advance(4 * 60_000);
    first.close();
    await waitForStatus(h, s.patient.attendee.attendee_id, "LEFT");
    h.advance(60_000);
    const rejoin = await h.join(s.sessionId, c.patient);
    await attend(s.sessionId, rejoin.attendee.join_token);
    h.advance(5 * 60_000);
    await h.end(s.sessionId, c.doctor);
    const body = (await usage(c.doctor)).json();
    expect(body.total_attendee_minutes).toBe(19); // doctor 10 + patient 4 + 5
    expect(body.sessions[0]).toMatchObject({ attendees: 2, attendee_minutes: 19 });
  });

  it("splits attendance across a month boundary and reports each month its part", async () => {
    const saved = h.clock.now;
    h.clock.now = new Date("2026-01-31T23:55:00.000Z");
    try {
      const c = clinic("clinic-c");
      const s = await consultation(c);
      await attend(s.sessionId, s.doctorToken);
      await attend(s.sessionId, s.patient.attendee.join_token);
      h.advance(10 * 60_000);
      await h.end(s.sessionId, c.doctor);
      expect((await usage(c.admin, "2026-01")).json()).toMatchObject({ total_attendee_minutes: 10, total_sessions: 1 });
      expect((await usage(c.admin, "2026-02")).json()).toMatchObject({ total_attendee_minutes: 10, total_sessions: 1 });
      expect((await usage(c.admin, "2025-12")).json()).toMatchObject({
        total_attendee_minutes: 0,
        total_sessions: 0,
        status: "HEALTHY",
        remaining_minutes: 40,
        sessions: [],
      });
      const stored = await h.app.video.database.db
        .selectFrom("attendance_intervals")
        .selectAll()
        .where("session_id", "=", s.sessionId)
        .execute();
      expect(stored).toHaveLength(4); // two attendees × two months
    } finally {
      h.clock.now = saved;
    }
  });

  it("projects the month end from the daily rate so far, and says when the free tier will be passed", async () => {
    const saved = h.clock.now;
    // 10 days into a 30-day month: 20 attendee-minutes on the 10th → 2 a day → 20 + 2 × 20 = 60.
    h.clock.now = new Date("2026-11-10T23:50:00.000Z");
    try {
      const c = clinic("clinic-forecast");
      const s = await consultation(c);
      await attend(s.sessionId, s.doctorToken);
      await attend(s.sessionId, s.patient.attendee.join_token);
      h.advance(10 * 60_000);
      await h.end(s.sessionId, c.doctor);
      const body = (await usage(c.admin, "2026-11")).json();
      expect(body.total_attendee_minutes).toBe(20);
      expect(body.daily).toHaveLength(30);
      expect(body.daily[9]).toEqual({ date: "2026-11-10", attendee_minutes: 20 });
      expect(body.daily.reduce((sum: number, d: { attendee_minutes: number }) => sum + d.attendee_minutes, 0)).toBe(20);
      expect(body.forecast_minutes).toBe(60);
      // 60 of a 40-minute free tier: the 20 minutes left go at 2 a day, so it is passed 10 days on.
      expect(body.forecast_status).toBe("EXCEEDED");
      expect(body.forecast_exceeds_on).toBe("2026-11-21");
      // The month before is over: its forecast is what it used.
      const october = (await usage(c.admin, "2026-10")).json();
      expect(october).toMatchObject({ total_attendee_minutes: 0, forecast_minutes: 0, forecast_status: "HEALTHY" });
      expect(october.forecast_exceeds_on).toBeNull();
    } finally {
      h.clock.now = saved;
    }
  });

  it("counts attendees still connected up to now", async () => {
    const c = clinic("clinic-d");
    const s = await consultation(c);
    await attend(s.sessionId, s.doctorToken);
    h.advance(3 * 60_000);
    expect((await usage(c.doctor)).json().total_attendee_minutes).toBe(3);
    await h.end(s.sessionId, c.doctor);
  });
});

describe("free tier limit policy", () => {
  async function overLimit(policy: "block" | "warn") {
    const h = await createHarness({ env: { FREE_TIER_MINUTES: "1", USAGE_LIMIT_POLICY: policy } });
    const base = await h.listen();
    const c = clinic(`clinic-${policy}`);
    const appointment = h.addAppointment(c.appointment);
    const body = (await h.start(appointment.id, c.doctor)).json();
    const patient = await h.join(body.session_id, c.patient);
    const a = connectSignal(signalUrl(base, body.session_id, body.doctor_attendee.join_token));
    const b = connectSignal(signalUrl(base, body.session_id, patient.attendee.join_token));
    await a.next("welcome");
    await b.next("welcome");
    h.advance(61_000); // 2 × 61 s > 1 minute
    await h.end(body.session_id, c.doctor);
    await Promise.all([closedWithin(a), closedWithin(b)]);
    const metrics = await h.app.inject({ url: "/api/video/metrics/usage", headers: await h.auth(c.admin) });
    expect(metrics.json()).toMatchObject({ status: "EXCEEDED", remaining_minutes: 0 });
    const next = await h.start(h.addAppointment(c.appointment).id, c.doctor);
    return { h, next };
  }

  it("block: start answers 429 FREE_TIER_EXCEEDED when the clinic is over its free tier", async () => {
    const { h, next } = await overLimit("block");
    try {
      expect(next.statusCode).toBe(429);
      expect(next.json()).toMatchObject({ status: 429, code: "FREE_TIER_EXCEEDED", free_tier_limit: 1 });
    } finally {
      await h.close();
    }
  });

  it("warn: start still works over the limit", async () => {
    const { h, next } = await overLimit("warn");
    try {
      expect(next.statusCode).toBe(200);
    } finally {
      await h.close();
    }
  });
});

import type { Appointment, AppointmentList } from "@clinic/contracts";
import { eventually } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type E2eStack, startE2eStack } from "./support/stack.ts";

/**
 * What `npm start` runs, on free ports: every call below goes through the gateway, as the
 * browser's would. PostgreSQL (a schema per service) and RabbitMQ when DATABASE_URL /
 * AMQP_URL are set; PGlite in memory and the in-process bus otherwise.
 */
// The event flow must hold on both bus implementations: RabbitMQ whenever AMQP_URL is set
// (CI), and the in-process bus `npm start` uses, always.
const buses = [
  ...(process.env.AMQP_URL ? [{ label: "RabbitMQ", amqpUrl: process.env.AMQP_URL }] : []),
  { label: "in-process bus", amqpUrl: undefined },
];

describe.each(buses)("embedded stack smoke test ($label)", ({ amqpUrl }) => {
  let stack: E2eStack;
  let gateway: string;
  let logs: E2eStack["logs"];

  beforeAll(async () => {
    stack = await startE2eStack({ amqpUrl: amqpUrl ?? null, web: false });
    gateway = stack.origin;
    logs = stack.logs;
  });
  afterAll(() => stack?.close());

  const call = async <T>(method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${gateway}${path}`, {
      method,
      headers: {
        accept: "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  /** The appointment once it has the wanted status (at most 15 s, 100 ms apart). */
  const waitForStatus = (token: string, id: string, wanted: Appointment["status"]) =>
    eventually(
      `appointment ${id} ${wanted}`,
      async () => {
        const { status, body } = await call<Appointment>("GET", `/appointments/api/appointments/${id}`, token);
        expect(status).toBe(200);
        return body.status === wanted ? body : undefined;
      },
      { timeoutMs: 15_000 },
    );
  /** Signalling messages arrive within 10 s. */
  const signalWait = { timeoutMs: 10_000, intervalMs: 50 };

  it("reports every service healthy through the gateway", async () => {
    const { status, body } = await call<{ status: string; checks: Record<string, string> }>("GET", "/health");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "UP", checks: { auth: "UP", appointments: "UP", video: "UP" } });
  });

  it("logs in as the demo doctor, starts and ends the consultation starting now, and sees the appointment COMPLETED", async () => {
    const login = await call<{ access_token: string; user: { role: string } }>(
      "POST",
      "/auth/api/auth/login",
      undefined,
      {
        email: "doctor@demo.clinic",
        password: "doctor-demo",
      },
    );
    expect(login.status).toBe(200);
    expect(login.body.user.role).toBe("DOCTOR");
    const token = login.body.access_token;

    const list = await call<AppointmentList>("GET", "/appointments/api/appointments?status=SCHEDULED&limit=100", token);
    expect(list.status).toBe(200);
    const now = Date.now();
    const current = list.body.appointments.find((a) => {
      const start = Date.parse(a.start_time);
      return a.video_enabled && start - 10 * 60_000 <= now && now <= start + a.duration_minutes * 60_000;
    });
    expect(current, "a demo appointment starting now").toBeDefined();
    const appointmentId = current!.id;

    const started = await call<{
      session_id: string;
      status: string;
      doctor_attendee: { join_token: string };
      aws_media_urls: { signaling_url: string };
    }>("POST", `/video/api/video/sessions/${appointmentId}/start`, token, { booking_type: "CLINIC_BASED" });
    expect(started.status).toBe(200);
    expect(started.body.status).toBe("IN_PROGRESS");
    const sessionId = started.body.session_id;
    await waitForStatus(token, appointmentId, "IN_PROGRESS");

    // The signalling URL the service hands out points back through the gateway, and the
    // WebSocket upgrade passes through it to the video service.
    const signalling = started.body.aws_media_urls.signaling_url;
    expect(signalling).toBe(`${gateway.replace(/^http/, "ws")}/video/api/video/sessions/${sessionId}/signal`);
    const socket = new WebSocket(`${signalling}?token=${encodeURIComponent(started.body.doctor_attendee.join_token)}`);
    const received: { type: string }[] = [];
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.on("message", (data) => received.push(JSON.parse(String(data)) as { type: string }));
    await eventually("signalling welcome", () => received.some((m) => m.type === "welcome"), signalWait);

    const ended = await call<{ status: string; appointment_status: string }>(
      "POST",
      `/video/api/video/sessions/${sessionId}/end`,
      token,
      {},
    );
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: "COMPLETED", appointment_status: "COMPLETED" });

    // Ending the session closes the meeting for everyone connected.
    await eventually(
      "session.ended over signalling",
      () => received.some((m) => m.type === "session.ended"),
      signalWait,
    );
    expect(await closed).toBe(4410);

    const completed = await waitForStatus(token, appointmentId, "COMPLETED");
    expect(completed.session_id).toBe(sessionId);
    expect(completed.consultation_duration_minutes).toEqual(expect.any(Number));

    // Nothing secret reached a log line on the way.
    const text = logs.text();
    expect(text).not.toContain(token);
    expect(text).not.toContain(started.body.doctor_attendee.join_token);
    expect(text).not.toContain("doctor-demo");
  });
});

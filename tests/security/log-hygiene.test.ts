import { type AppointmentList, demoUsers } from "@clinic/contracts";
import { captureLogs, testDatabase } from "@clinic/platform/testing";
import { type RunningStack, runStack } from "@clinic/stack";
import { connectSignal, type SignalClient } from "@clinic/video-service/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, busTopology } from "../support/bus.ts";
import { autoAdmit, giveConsent } from "../support/flows.ts";
import { call } from "../support/http.ts";
import { logEntries } from "../support/logs.ts";

const doctorLogin = { email: "doctor@demo.clinic", password: "doctor-demo" };
const patientLogin = { email: "patient@demo.clinic", password: "patient-demo" };
const wrongPassword = "Tr0ub4dor&3-not-it";
// The demo seed's patient: the consultation below is one of the seeded appointments.
const patientName = demoUsers.patient.name;
const endNote = "Patient reports chest pain radiating to the left arm";
const laterNote = "Follow-up: ECG booked, beta blocker started";

interface Login {
  access_token: string;
  refresh_token: string;
}

/**
 * What `npm start` runs, at LOG_LEVEL debug with every line captured, through a whole
 * consultation via the gateway (logins, list, start, join, signalling offer/answer/ICE, end
 * with notes, notes again, usage, token refresh, a failed login): no line may carry the
 * patient's name, a note, any token, any password or any email address.
 */
describe(`log hygiene of a whole consultation through the gateway (${backend})`, () => {
  const topology = busTopology("loghygiene");
  const databases = {
    auth: testDatabase("lh_auth"),
    appointments: testDatabase("lh_appointments"),
    video: testDatabase("lh_video"),
  };
  const logs = captureLogs();
  const secrets: string[] = [patientName, endNote, laterNote, wrongPassword, doctorLogin.password];
  secrets.push(patientLogin.password, doctorLogin.email, patientLogin.email);
  let stack: RunningStack;
  let gateway: string;
  const sockets: SignalClient[] = [];

  beforeAll(async () => {
    stack = await runStack({
      ports: { gateway: 0, auth: 0, appointments: 0, video: 0 },
      host: "127.0.0.1",
      databases: {
        auth: databases.auth.options,
        appointments: databases.appointments.options,
        video: databases.video.options,
      },
      bus: await topology.connect(),
      seed: true,
      logLevel: "debug",
      logStream: logs.stream,
      env: {},
    });
    gateway = stack.urls.gateway;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await stack?.close();
    await topology.cleanup();
    await Promise.all(Object.values(databases).map((d) => d.drop()));
  });

  /** A token, and its signature and payload on their own (a log line could carry a part). */
  const remember = (token: string) => {
    secrets.push(token, ...token.split(".").filter((part) => part.length >= 16));
  };

  it("logs no name, note, token, password or email", async () => {
    const login = async (body: object) => {
      const reply = await call<Login>(gateway, "POST", "/auth/api/auth/login", { body });
      expect(reply.status, reply.text).toBe(200);
      remember(reply.body.access_token);
      remember(reply.body.refresh_token);
      return reply.body;
    };
    const doctor = await login(doctorLogin);
    const patient = await login(patientLogin);

    const list = await call<AppointmentList>(gateway, "GET", "/appointments/api/appointments?limit=100", {
      token: doctor.access_token,
    });
    expect(list.status).toBe(200);
    const now = Date.now();
    const current = list.body.appointments.find(
      (a) =>
        a.video_enabled &&
        a.status === "SCHEDULED" &&
        a.patient_name === patientName &&
        Date.parse(a.start_time) - 10 * 60_000 <= now &&
        now <= Date.parse(a.start_time) + a.duration_minutes * 60_000,
    );
    expect(current, "a demo appointment of John Doe starting now").toBeDefined();
    const appointmentId = current?.id as string;

    const started = await call<{
      session_id: string;
      doctor_attendee: { join_token: string };
      aws_media_urls: { signaling_url: string };
    }>(gateway, "POST", `/video/api/video/sessions/${appointmentId}/start`, {
      token: doctor.access_token,
      body: { booking_type: "CLINIC_BASED" },
    });
    expect(started.status, started.text).toBe(200);
    const sessionId = started.body.session_id;
    remember(started.body.doctor_attendee.join_token);
    // The patient meets the doctor without waiting for Admit (the waiting room is not this test's).
    await autoAdmit(`${gateway}/video`, doctor.access_token, sessionId);
    await giveConsent(`${gateway}/video`, patient.access_token, sessionId);

    // Text with a control character is refused with a 400 in every field, and its words
    // stay out of the logs (NUL used to fail in the database, answer 500 and log the text).
    const refusedText = "Patient reports chest pain";
    secrets.push(refusedText);
    const refusals: [string, string, string, object][] = [];
    for (const bad of [`${refusedText}\u0000`, `${refusedText}\u0007`]) {
      refusals.push(
        [patient.access_token, "POST", `/video/api/video/sessions/${sessionId}/join`, { device_info: bad }],
        [doctor.access_token, "PUT", `/video/api/video/sessions/${sessionId}/notes/draft`, { notes: bad }],
        [doctor.access_token, "POST", `/video/api/video/sessions/${sessionId}/end`, { notes: bad }],
        [
          doctor.access_token,
          "POST",
          "/appointments/api/appointments",
          {
            patient_id: "patient-1",
            patient_name: bad,
            start_time: new Date(now + 86_400_000).toISOString(),
            duration_minutes: 30,
          },
        ],
      );
    }
    for (const [token, method, path, body] of refusals) {
      const refused = await call<{ code: string }>(gateway, method, path, { token, body });
      expect(refused.status, `${method} ${path}: ${refused.text}`).toBe(400);
      expect(refused.body.code).toBe("VALIDATION_FAILED");
    }
    const joined = await call<{ attendee: { join_token: string } }>(
      gateway,
      "POST",
      `/video/api/video/sessions/${sessionId}/join`,
      { token: patient.access_token, body: { device_info: "test-device", browser_info: "test-browser" } },
    );
    expect(joined.status, joined.text).toBe(200);
    remember(joined.body.attendee.join_token);

    // Both signalling sockets through the gateway; the patient (newcomer) offers to the doctor.
    const url = (token: string) => `${started.body.aws_media_urls.signaling_url}?token=${encodeURIComponent(token)}`;
    const doctorSocket = connectSignal(url(started.body.doctor_attendee.join_token));
    sockets.push(doctorSocket);
    const doctorWelcome = await doctorSocket.next("welcome", 10_000);
    const patientSocket = connectSignal(url(joined.body.attendee.join_token));
    sockets.push(patientSocket);
    await patientSocket.next("welcome", 10_000);
    const arrived = await doctorSocket.next("attendee.joined", 10_000);
    patientSocket.send({ type: "offer", to: doctorWelcome.attendee_id, sdp: "v=0 offer-sdp" });
    expect((await doctorSocket.next("offer", 5000)).sdp).toBe("v=0 offer-sdp");
    doctorSocket.send({ type: "answer", to: arrived.attendee.attendee_id, sdp: "v=0 answer-sdp" });
    expect((await patientSocket.next("answer", 5000)).sdp).toBe("v=0 answer-sdp");
    const candidate = { candidate: "candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host", sdpMid: "0" };
    patientSocket.send({ type: "ice", to: doctorWelcome.attendee_id, candidate });
    doctorSocket.send({ type: "ice", to: arrived.attendee.attendee_id, candidate });
    await doctorSocket.next("ice", 5000);
    await patientSocket.next("ice", 5000);

    // The notes draft written during the call (issue 16) is as secret as the notes.
    const draftNote = "Draft: suspected angina, exercise ECG tomorrow";
    secrets.push(draftNote);
    const drafted = await call(gateway, "PUT", `/video/api/video/sessions/${sessionId}/notes/draft`, {
      token: doctor.access_token,
      body: { notes: draftNote },
    });
    expect(drafted.status, drafted.text).toBe(200);
    const ended = await call(gateway, "POST", `/video/api/video/sessions/${sessionId}/end`, {
      token: doctor.access_token,
      body: { notes: endNote, quality_rating: 4 },
    });
    expect(ended.status, ended.text).toBe(200);
    await patientSocket.next("session.ended", 5000);
    const badNotes = await call(gateway, "PUT", `/video/api/video/sessions/${sessionId}/notes`, {
      token: doctor.access_token,
      body: { notes: `${refusedText}\u0000` },
    });
    expect(badNotes.status, badNotes.text).toBe(400);
    const notes = await call(gateway, "PUT", `/video/api/video/sessions/${sessionId}/notes`, {
      token: doctor.access_token,
      body: { notes: laterNote },
    });
    expect(notes.status, notes.text).toBe(200);
    const usage = await call(gateway, "GET", "/video/api/video/metrics/usage", { token: doctor.access_token });
    expect(usage.status, usage.text).toBe(200);

    const refreshed = await call<Login>(gateway, "POST", "/auth/api/auth/refresh", {
      body: { refresh_token: doctor.refresh_token },
    });
    expect(refreshed.status, refreshed.text).toBe(200);
    remember(refreshed.body.access_token);
    remember(refreshed.body.refresh_token);
    const failed = await call(gateway, "POST", "/auth/api/auth/login", {
      body: { email: doctorLogin.email, password: wrongPassword },
    });
    expect(failed.status).toBe(401);
    await stack.close(); // shutdown lines are logs too

    // The capture worked, at debug, from every service and the gateway.
    const entries = logEntries(logs.lines);
    expect(entries.some((e) => e.level === 20)).toBe(true);
    const names = new Set(entries.map((e) => e.service ?? e.name));
    expect(names.size, [...names].join(", ")).toBeGreaterThanOrEqual(4);

    const text = logs.text();
    // The flow is in the logs (its requests by their URLs), only without the secrets.
    expect(text).toContain(sessionId);
    expect(text).toContain("/signal");
    const leaks = secrets.filter((secret) => text.includes(secret));
    expect(leaks.map((s) => (s.length > 40 ? `${s.slice(0, 20)}…` : s))).toEqual([]);
    expect(text.match(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g) ?? []).toEqual([]);
  });
});

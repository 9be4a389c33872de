import { type AuthUser, ConfigError } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadVideoConfig } from "../config.ts";
import { connectSignal, type SignalClient, signalUrl } from "../testing/signal-client.ts";
import { createHarness, type Harness } from "../testing/video-test-harness.ts";

/** A clinic of its own per test (usage is per clinic), with two doctors. */
function clinic(name: string) {
  const person = (id: string, role: AuthUser["role"]): AuthUser => ({
    id: `${id}-${name}`,
    role,
    clinic_id: name,
    name: `${role} ${id}`,
    email: `${id}@x.test`,
  });
  return {
    name,
    doctor: person("doc", "DOCTOR"),
    colleague: person("doc2", "DOCTOR"),
    patient: person("pat", "PATIENT"),
    admin: person("adm", "ADMIN"),
  };
}

describe("usage in the clinic's time zone (CLINIC_TIME_ZONE=Europe/Berlin)", () => {
  let h: Harness;
  let base: string;
  const clients: SignalClient[] = [];
  beforeAll(async () => {
    h = await createHarness({ env: { FREE_TIER_MINUTES: "1000", CLINIC_TIME_ZONE: "Europe/Berlin" } });
    base = await h.listen();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await h.close();
  });

  /** A consultation of `doctor` with both people connected for `minutes`, from `from`. */
  async function consultation(c: ReturnType<typeof clinic>, doctor: AuthUser, from: string, minutes: number) {
    h.clock.now = new Date(from);
    const appointment = h.addAppointment({ clinic_id: c.name, doctor_id: doctor.id, patient_id: c.patient.id });
    const start = (await h.start(appointment.id, doctor)).json();
    const patient = await h.join(start.session_id, c.patient);
    for (const token of [start.doctor_attendee.join_token, patient.attendee.join_token]) {
      const client = connectSignal(signalUrl(base, start.session_id, token));
      clients.push(client);
      await client.next("welcome");
    }
    h.advance(minutes * 60_000);
    expect((await h.end(start.session_id, doctor)).statusCode).toBe(200);
    return start.session_id as string;
  }

  const usage = async (user: AuthUser, month?: string) => {
    const response = await h.app.inject({
      url: `/api/video/metrics/usage${month ? `?month=${month}` : ""}`,
      headers: await h.auth(user),
    });
    expect(response.statusCode).toBe(200);
    return response.json();
  };

  it("counts a call at 00:30 on 1 February in Berlin (23:30 UTC on 31 January) in February, and says the zone", async () => {
    const c = clinic("tz-feb");
    await consultation(c, c.doctor, "2026-01-31T23:30:00Z", 10);
    // No month asked: the current one in Berlin, already February there.
    const current = await usage(c.admin);
    expect(current).toMatchObject({ month: "2026-02", time_zone: "Europe/Berlin", total_attendee_minutes: 20 });
    expect(current.daily).toHaveLength(28);
    expect(current.daily[0]).toEqual({ date: "2026-02-01", attendee_minutes: 20 });
    expect(await usage(c.admin, "2026-01")).toMatchObject({ total_attendee_minutes: 0, total_sessions: 0 });
  });

  it("splits a call across Berlin's month boundary (23:50 on 28 February to 00:10 on 1 March)", async () => {
    const c = clinic("tz-split");
    await consultation(c, c.doctor, "2026-02-28T22:50:00Z", 20);
    const february = await usage(c.admin, "2026-02");
    const march = await usage(c.admin, "2026-03");
    expect(february).toMatchObject({ total_attendee_minutes: 20, total_sessions: 1 });
    expect(february.daily[27]).toEqual({ date: "2026-02-28", attendee_minutes: 20 });
    expect(march).toMatchObject({ total_attendee_minutes: 20, total_sessions: 1 });
    expect(march.daily[0]).toEqual({ date: "2026-03-01", attendee_minutes: 20 });
    // March in Berlin has a 23-hour day; it still has 31 days.
    expect(march.daily).toHaveLength(31);
  });

  it("gives a doctor their own sessions' figures, and the admin the clinic's", async () => {
    const c = clinic("tz-scope");
    const own = await consultation(c, c.doctor, "2026-04-10T08:00:00Z", 10);
    const theirs = await consultation(c, c.colleague, "2026-04-10T09:00:00Z", 5);
    const doctor = await usage(c.doctor, "2026-04");
    expect(doctor).toMatchObject({ clinic_id: c.name, total_sessions: 1, total_attendee_minutes: 20 });
    expect(doctor.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([own]);
    expect(doctor.usage_percentage).toBe(2); // 20 of the clinic's 1,000 minutes
    const colleague = await usage(c.colleague, "2026-04");
    expect(colleague).toMatchObject({ total_sessions: 1, total_attendee_minutes: 10 });
    expect(colleague.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([theirs]);
    const admin = await usage(c.admin, "2026-04");
    expect(admin).toMatchObject({ total_sessions: 2, total_attendee_minutes: 30, usage_percentage: 3 });
    const refused = await h.app.inject({ url: "/api/video/metrics/usage", headers: await h.auth(c.patient) });
    expect(refused.statusCode).toBe(403);
  });

  it("tells a doctor the clinic's free-tier status beside their own share", async () => {
    const c = clinic("tz-clinic-status");
    await consultation(c, c.doctor, "2026-05-04T08:00:00Z", 5);
    await consultation(c, c.colleague, "2026-05-04T09:00:00Z", 510); // 1,020 of the clinic's 1,000 minutes
    const doctor = await usage(c.doctor, "2026-05");
    expect(doctor).toMatchObject({ total_attendee_minutes: 10, status: "HEALTHY", clinic_status: "EXCEEDED" });
    const admin = await usage(c.admin, "2026-05");
    expect(admin).toMatchObject({ total_attendee_minutes: 1030, status: "EXCEEDED", clinic_status: "EXCEEDED" });
  });
});

describe("CLINIC_TIME_ZONE", () => {
  const problems = (zone: string) => {
    try {
      loadVideoConfig({ CLINIC_TIME_ZONE: zone });
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  };

  it("is UTC by default and takes IANA zone names", () => {
    expect(loadVideoConfig({}).CLINIC_TIME_ZONE).toBe("UTC");
    expect(loadVideoConfig({ CLINIC_TIME_ZONE: "America/New_York" }).CLINIC_TIME_ZONE).toBe("America/New_York");
  });

  it.each(["Mars/Olympus_Mons", "+01:00", "CET; DROP", "Europe/Berlin "])("refuses %j, naming the variable", (zone) => {
    expect(problems(zone)).toEqual([expect.stringMatching(/^CLINIC_TIME_ZONE: is not an IANA time zone name/)]);
  });
});

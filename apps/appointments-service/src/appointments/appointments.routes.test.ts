import { Appointment, EventTypes } from "@clinic/contracts";
import type { CloudEvent, InProcessBus } from "@clinic/platform";
import { Value } from "typebox/value";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inMinutes, type Person, people, startTestApp, type TestApp } from "../testing/test-app.ts";

let t: TestApp;
const published: CloudEvent[] = [];

beforeAll(async () => {
  t = await startTestApp();
  // A second consumer on the same bus, as the video service would be.
  await t.bus.subscribe(
    "test-video",
    [EventTypes.appointmentBooked, EventTypes.appointmentCancelled, EventTypes.appointmentRescheduled],
    async (e) => {
      published.push(e);
    },
  );
});
afterAll(() => t.close());

async function call(method: "GET" | "POST", url: string, person?: Person, payload?: object) {
  const headers = person ? await t.auth(person) : {};
  const res = await t.app.inject({ method, url: `/api/appointments${url}`, headers, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() };
}

let slot = 60;
/** Non-overlapping future start times, so bookings never collide unless a test wants them to. */
const nextSlot = () => {
  slot += 60;
  return inMinutes(slot);
};

async function book(person: Person = "doctor", extra: object = {}) {
  const res = await call("POST", "", person, {
    patient_id: people.patient.id,
    patient_name: people.patient.name,
    start_time: nextSlot(),
    duration_minutes: 30,
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Appointment;
}

describe("booking", () => {
  it("lets a doctor book for themselves and serves the contract's Appointment", async () => {
    const appt = await book("doctor");
    expect(Value.Check(Appointment, appt)).toBe(true);
    expect(appt).toMatchObject({
      clinic_id: "clinic-1",
      doctor_id: people.doctor.id,
      doctor_name: people.doctor.name,
      patient_id: people.patient.id,
      status: "SCHEDULED",
      booking_type: "CLINIC_BASED",
      video_enabled: true,
      session_id: null,
      consultation_duration_minutes: null,
    });
    expect((await call("GET", `/${appt.id}`, "doctor")).body).toEqual(appt);
  });

  it("publishes appointment.booked through the outbox", async () => {
    const appt = await book("doctor", { video_enabled: false });
    await (t.bus as InProcessBus).drain();
    await expect.poll(() => published.find((e) => e.subject === appt.id), { timeout: 5000 }).toBeDefined();
    const event = published.find((e) => e.subject === appt.id)!;
    expect(event).toMatchObject({ type: "appointment.booked", source: "appointments-service", specversion: "1.0" });
    expect(event.data).toEqual({
      appointment_id: appt.id,
      clinic_id: "clinic-1",
      doctor_id: people.doctor.id,
      patient_id: people.patient.id,
      patient_name: people.patient.name,
      start_time: appt.start_time,
      duration_minutes: 30,
      booking_type: "CLINIC_BASED",
      video_enabled: false,
    });
  });

  it("lets an admin book for a doctor of the clinic, by id", async () => {
    const appt = await book("admin", { doctor_id: people.doctor2.id });
    expect(appt).toMatchObject({
      doctor_id: people.doctor2.id,
      doctor_name: people.doctor2.name,
      clinic_id: "clinic-1",
    });
    const missing = await call("POST", "", "admin", {
      patient_id: people.patient.id,
      patient_name: "P",
      start_time: nextSlot(),
      duration_minutes: 30,
    });
    expect(missing).toMatchObject({ status: 400, body: { code: "DOCTOR_REQUIRED", status: 400 } });
  });

  it.each([
    ["a patient", "patient", {}],
    ["a doctor for another doctor", "doctor", { doctor_id: people.doctor2.id }],
  ] as const)("refuses %s with 403", async (_label, person, extra) => {
    const body = {
      patient_id: people.patient.id,
      patient_name: "P",
      start_time: nextSlot(),
      duration_minutes: 30,
      ...extra,
    };
    const res = await call("POST", "", person, body);
    expect(res).toMatchObject({ status: 403, body: { code: "FORBIDDEN", status: 403 } });
  });

  it("refuses an overlapping booking for the same doctor with 409", async () => {
    const first = await book("doctor", { duration_minutes: 45 });
    const start = new Date(Date.parse(first.start_time) + 30 * 60_000).toISOString();
    const body = { patient_id: people.patient2.id, patient_name: "Q", start_time: start, duration_minutes: 30 };
    const res = await call("POST", "", "doctor", body);
    expect(res).toMatchObject({
      status: 409,
      body: { code: "DOCTOR_UNAVAILABLE", conflicting_appointment_id: first.id },
    });
    // Another doctor is free at that time.
    expect((await call("POST", "", "doctor2", body)).status).toBe(201);
  });

  it.each([
    ["an unknown field", { extra: 1 }],
    ["a missing patient_id", { patient_id: undefined }],
    ["a bad start_time", { start_time: "tomorrow at noon" }],
    ["a too short duration", { duration_minutes: 2 }],
    ["a too long duration", { duration_minutes: 600 }],
    ["a blank patient_name", { patient_name: "   " }],
    ["a non-boolean video_enabled", { video_enabled: "yes please" }],
  ])("answers 400 VALIDATION_FAILED for %s", async (_label, change) => {
    const body = {
      patient_id: people.patient.id,
      patient_name: "P",
      start_time: nextSlot(),
      duration_minutes: 30,
      ...change,
    };
    const res = await call("POST", "", "doctor", body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
    expect(typeof res.body.error).toBe("string");
    expect(res.body.details).toBeDefined();
  });

  it("answers 400 START_TIME_IN_PAST for a start in the past", async () => {
    const body = { patient_id: people.patient.id, patient_name: "P", start_time: inMinutes(-60), duration_minutes: 30 };
    expect(await call("POST", "", "doctor", body)).toMatchObject({
      status: 400,
      body: { code: "START_TIME_IN_PAST" },
    });
  });
});

describe("reading one appointment", () => {
  let appt: Appointment;
  beforeAll(async () => {
    appt = await book("doctor");
  });

  it.each([
    ["its doctor", "doctor", 200],
    ["its patient", "patient", 200],
    ["an admin of the clinic", "admin", 200],
    ["another doctor", "doctor2", 403],
    ["another patient", "patient2", 403],
    // Another clinic's appointment is answered as an unknown one: its existence does not leak.
    ["a doctor of another clinic with the same id", "otherClinicDoctor", 404],
    ["an admin of another clinic", "otherClinicAdmin", 404],
  ] as const)("answers %s (%s) with %i", async (_label, person, status) => {
    const res = await call("GET", `/${appt.id}`, person);
    expect(res.status).toBe(status);
    if (status === 403) expect(res.body).toEqual({ error: expect.any(String), status: 403, code: "FORBIDDEN" });
    else if (status === 404)
      expect(res.body).toEqual({ error: "Appointment not found", status: 404, code: "APPOINTMENT_NOT_FOUND" });
    else expect(res.body.id).toBe(appt.id);
  });

  it("answers 401 without a token or with a bad one", async () => {
    expect((await call("GET", `/${appt.id}`)).status).toBe(401);
    const res = await t.app.inject({
      url: `/api/appointments/${appt.id}`,
      headers: { authorization: "Bearer abc.def.ghi" },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ status: 401, code: "INVALID_TOKEN" });
  });

  it("answers 404 for an unknown id and 400 for a malformed one", async () => {
    const unknown = await call("GET", "/appt-00000000-0000-4000-8000-000000000000", "admin");
    expect(unknown).toMatchObject({
      status: 404,
      body: { code: "APPOINTMENT_NOT_FOUND", error: "Appointment not found" },
    });
    expect(await call("GET", "/not-an-id", "admin")).toMatchObject({
      status: 400,
      body: { code: "VALIDATION_FAILED" },
    });
  });
});

describe("listing", () => {
  let t2: TestApp;
  const ids: Record<string, string> = {};
  const base = Date.now() + 24 * 3600_000;
  const at = (hours: number) => new Date(base + hours * 3600_000).toISOString();
  const list = async (person: Person, query = "") => {
    const headers = await t2.auth(person);
    const res = await t2.app.inject({ url: `/api/appointments${query}`, headers });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    t2 = await startTestApp();
    const bookAt = async (name: string, person: Person, hours: number, extra: object = {}) => {
      const headers = await t2.auth(person);
      const payload = {
        patient_id: people.patient.id,
        patient_name: "P",
        start_time: at(hours),
        duration_minutes: 30,
        ...extra,
      };
      const res = await t2.app.inject({ method: "POST", url: "/api/appointments", headers, payload });
      ids[name] = res.json().id;
    };
    await bookAt("a1", "doctor", 1);
    await bookAt("a2", "doctor", 2, { patient_id: people.patient2.id });
    await bookAt("a3", "doctor", 3);
    await bookAt("a4", "doctor", 30);
    await bookAt("b1", "doctor2", 1.5);
    await bookAt("x1", "otherClinicDoctor", 1, { patient_id: people.otherClinicPatient.id });
    await t2.app.inject({
      method: "POST",
      url: `/api/appointments/${ids.a3}/cancel`,
      headers: await t2.auth("doctor"),
    });
  });
  afterAll(() => t2.close());

  const idsOf = (body: { appointments: Appointment[] }) => body.appointments.map((a) => a.id);

  it("shows a doctor their own, ordered by start time", async () => {
    const res = await list("doctor");
    expect(res.body).toMatchObject({ total: 4, limit: 20, offset: 0 });
    expect(idsOf(res.body)).toEqual([ids.a1, ids.a2, ids.a3, ids.a4]);
  });

  it("shows a patient only their own and an admin the whole clinic", async () => {
    expect(idsOf((await list("patient")).body)).toEqual([ids.a1, ids.b1, ids.a3, ids.a4]);
    expect(idsOf((await list("patient2")).body)).toEqual([ids.a2]);
    expect((await list("admin")).body.total).toBe(5);
    expect(idsOf((await list("otherClinicAdmin")).body)).toEqual([ids.x1]);
  });

  it("filters by start time range ([from, to)) and status", async () => {
    const range = `?from=${encodeURIComponent(at(2))}&to=${encodeURIComponent(at(30))}`;
    expect(idsOf((await list("doctor", range)).body)).toEqual([ids.a2, ids.a3]);
    expect(idsOf((await list("doctor", `${range}&status=SCHEDULED`)).body)).toEqual([ids.a2]);
    expect(idsOf((await list("doctor", "?status=CANCELLED&status=COMPLETED")).body)).toEqual([ids.a3]);
  });

  it("paginates with total, limit and offset", async () => {
    const page2 = await list("doctor", "?limit=2&offset=2");
    expect(page2.body).toMatchObject({ total: 4, limit: 2, offset: 2 });
    expect(idsOf(page2.body)).toEqual([ids.a3, ids.a4]);
    expect((await list("doctor", "?limit=2&offset=4")).body).toMatchObject({ total: 4, appointments: [] });
  });

  it.each([["?limit=0"], ["?limit=101"], ["?offset=-1"], ["?status=LATE"], ["?from=yesterday"], ["?colour=blue"]])(
    "answers 400 for %s",
    async (query) => {
      expect(await list("doctor", query)).toMatchObject({ status: 400, body: { code: "VALIDATION_FAILED" } });
    },
  );

  it("answers 400 INVALID_TIME_RANGE when from is not before to", async () => {
    const query = `?from=${encodeURIComponent(at(5))}&to=${encodeURIComponent(at(1))}`;
    expect(await list("doctor", query)).toMatchObject({ status: 400, body: { code: "INVALID_TIME_RANGE" } });
  });

  it("answers 401 without a token", async () => {
    const res = await t2.app.inject({ url: "/api/appointments" });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ status: 401, code: "UNAUTHORIZED" });
  });
});

describe("cancelling and rescheduling", () => {
  it("cancels a SCHEDULED appointment, publishes appointment.cancelled, and refuses a second cancel with 409", async () => {
    const appt = await book("doctor");
    const res = await call("POST", `/${appt.id}/cancel`, "doctor");
    expect(res).toMatchObject({ status: 200, body: { id: appt.id, status: "CANCELLED" } });
    await expect
      .poll(() => published.find((e) => e.type === "appointment.cancelled" && e.subject === appt.id), { timeout: 5000 })
      .toMatchObject({ data: { appointment_id: appt.id, clinic_id: "clinic-1", cancelled_at: res.body.updated_at } });
    const again = await call("POST", `/${appt.id}/cancel`, "doctor");
    expect(again).toMatchObject({
      status: 409,
      body: { code: "APPOINTMENT_NOT_SCHEDULED", appointment_status: "CANCELLED" },
    });
    const moved = await call("POST", `/${appt.id}/reschedule`, "doctor", { start_time: nextSlot() });
    expect(moved).toMatchObject({ status: 409, body: { code: "APPOINTMENT_NOT_SCHEDULED" } });
    // The cancelled slot is free again.
    const body = {
      patient_id: people.patient.id,
      patient_name: "P",
      start_time: appt.start_time,
      duration_minutes: 30,
    };
    expect((await call("POST", "", "doctor", body)).status).toBe(201);
  });

  it("reschedules a SCHEDULED appointment, keeping or changing its duration", async () => {
    const appt = await book("doctor");
    const start = nextSlot();
    const res = await call("POST", `/${appt.id}/reschedule`, "admin", { start_time: start });
    expect(res).toMatchObject({ status: 200, body: { id: appt.id, start_time: start, duration_minutes: 30 } });
    const longer = await call("POST", `/${appt.id}/reschedule`, "doctor", { start_time: start, duration_minutes: 60 });
    expect(longer.body).toMatchObject({ start_time: start, duration_minutes: 60, status: "SCHEDULED" });
    expect((await call("GET", `/${appt.id}`, "patient")).body.duration_minutes).toBe(60);
    const isMove = (e: CloudEvent) => e.subject === appt.id && e.type === "appointment.rescheduled";
    await expect.poll(() => published.filter(isMove).length, { timeout: 5000 }).toBe(2);
    expect(published.filter(isMove).map((e) => e.data)).toEqual([
      { appointment_id: appt.id, clinic_id: "clinic-1", start_time: start, duration_minutes: 30 },
      { appointment_id: appt.id, clinic_id: "clinic-1", start_time: start, duration_minutes: 60 },
    ]);
  });

  it("refuses a reschedule onto another appointment of the doctor with 409, and bad bodies with 400", async () => {
    const a = await book("doctor");
    const b = await book("doctor");
    const res = await call("POST", `/${b.id}/reschedule`, "doctor", { start_time: a.start_time });
    expect(res).toMatchObject({ status: 409, body: { code: "DOCTOR_UNAVAILABLE", conflicting_appointment_id: a.id } });
    for (const body of [{}, { start_time: nextSlot(), note: "x" }, { start_time: nextSlot(), duration_minutes: 1 }]) {
      expect(await call("POST", `/${b.id}/reschedule`, "doctor", body)).toMatchObject({ status: 400 });
    }
  });

  it.each([
    ["the patient", "patient", 403],
    ["another doctor", "doctor2", 403],
    ["an admin of another clinic", "otherClinicAdmin", 404],
    ["nobody signed in", undefined, 401],
  ] as const)("refuses cancel and reschedule by %s", async (_label, person, status) => {
    const appt = await book("doctor");
    expect((await call("POST", `/${appt.id}/cancel`, person)).status).toBe(status);
    expect((await call("POST", `/${appt.id}/reschedule`, person, { start_time: nextSlot() })).status).toBe(status);
    expect((await call("GET", `/${appt.id}`, "doctor")).body).toMatchObject({
      status: "SCHEDULED",
      start_time: appt.start_time,
    });
  });

  it("answers 404 for cancelling an unknown appointment", async () => {
    const res = await call("POST", "/appt-00000000-0000-4000-8000-000000000000/cancel", "admin");
    expect(res).toMatchObject({ status: 404, body: { code: "APPOINTMENT_NOT_FOUND" } });
  });
});

describe("logs", () => {
  it("never contain patient names or tokens", async () => {
    const { authorization } = await t.auth("doctor");
    const booked = await call("POST", "", "doctor", {
      patient_id: people.patient.id,
      patient_name: "Zebediah Quux",
      start_time: nextSlot(),
      duration_minutes: 30,
    });
    expect(booked.status).toBe(201);
    // A refused booking too: an unknown patient's id is not a name, but its refusal says nothing more.
    const unknown = {
      patient_id: "pat-nobody",
      patient_name: "Zebediah Quux",
      start_time: nextSlot(),
      duration_minutes: 30,
    };
    expect((await call("POST", "", "doctor", unknown)).body.code).toBe("UNKNOWN_PATIENT");
    await call("GET", "", "doctor");
    const text = t.logs.text();
    expect(text).toContain("request completed");
    expect(text).not.toContain("Zebediah");
    expect(text).not.toContain(people.patient.name);
    expect(text).not.toContain(authorization.slice(7, 40));
  });
});

import type { Appointment } from "@clinic/contracts";
import type { AuthUser } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inMinutes, type Person, people, startTestApp, type TestApp } from "../testing/test-app.ts";
import { decide, decideBooking } from "./appointment-access.ts";
import type { AppointmentRow } from "./appointments.repository.ts";

const row = {
  id: "appt-1",
  clinic_id: "clinic-1",
  doctor_id: people.doctor.id,
  patient_id: people.patient.id,
} as AppointmentRow;

describe("who may do what to an appointment", () => {
  it.each([
    ["its doctor", people.doctor, { READ: null, CANCEL: null, RESCHEDULE: null }],
    ["its patient", people.patient, { READ: null, CANCEL: "ROLE_NOT_ALLOWED", RESCHEDULE: "ROLE_NOT_ALLOWED" }],
    ["an admin of the clinic", people.admin, { READ: null, CANCEL: null, RESCHEDULE: null }],
    ["another doctor", people.doctor2, { READ: "NOT_THEIRS", CANCEL: "NOT_THEIRS", RESCHEDULE: "NOT_THEIRS" }],
    ["another patient", people.patient2, { READ: "NOT_THEIRS", CANCEL: "NOT_THEIRS", RESCHEDULE: "NOT_THEIRS" }],
    [
      "the doctor's id in another clinic",
      people.otherClinicDoctor,
      { READ: "OTHER_CLINIC", CANCEL: "OTHER_CLINIC", RESCHEDULE: "OTHER_CLINIC" },
    ],
    [
      "an admin of another clinic",
      people.otherClinicAdmin,
      { READ: "OTHER_CLINIC", CANCEL: "OTHER_CLINIC", RESCHEDULE: "OTHER_CLINIC" },
    ],
  ] as const)("%s", (_who, user, expected) => {
    for (const [action, refusal] of Object.entries(expected)) {
      expect(decide(user as AuthUser, action as keyof typeof expected, row), action).toBe(refusal);
    }
  });

  it("refuses an unknown appointment and checks bookings by role", () => {
    expect(decide(people.admin as AuthUser, "READ", undefined)).toBe("NOT_FOUND");
    expect(decideBooking(people.patient as AuthUser, {})).toBe("ROLE_NOT_ALLOWED");
    expect(decideBooking(people.doctor as AuthUser, { doctor_id: people.doctor2.id })).toBe("OTHER_DOCTOR");
    expect(decideBooking(people.doctor as AuthUser, { doctor_id: people.doctor.id })).toBeNull();
    expect(decideBooking(people.admin as AuthUser, { doctor_id: people.doctor2.id })).toBeNull();
  });
});

describe("appointment_audit: every answer, allowed or denied, through HTTP", () => {
  let t: TestApp;
  let slot = 0;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  async function call(method: "GET" | "POST", url: string, person: Person, payload?: object) {
    const res = await t.app.inject({
      method,
      url: `/api/appointments${url}`,
      headers: await t.auth(person),
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json(), requestId: String(res.headers["x-request-id"]) };
  }

  async function book(person: Person = "doctor"): Promise<Appointment> {
    slot += 60;
    const res = await call("POST", "", person, {
      patient_id: people.patient.id,
      patient_name: people.patient.name,
      start_time: inMinutes(slot),
      duration_minutes: 30,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as Appointment;
  }

  /** The audit rows one request wrote: the response has gone, so they are committed. */
  const rowsOf = (requestId: string) =>
    t.app.appointments.database.db
      .selectFrom("appointment_audit")
      .select(["actor_id", "actor_role", "clinic_id", "action", "outcome", "reason", "appointment_id", "request_id"])
      .where("request_id", "=", requestId)
      .orderBy("id")
      .execute();

  it("records a patient reading another patient's appointment as DENIED, with clinic and request id", async () => {
    const appt = await book();
    const res = await call("GET", `/${appt.id}`, "patient2");
    expect(res).toMatchObject({ status: 403, body: { code: "FORBIDDEN", status: 403 } });
    expect(res.requestId).not.toBe("undefined");
    expect(await rowsOf(res.requestId)).toEqual([
      {
        actor_id: people.patient2.id,
        actor_role: "PATIENT",
        clinic_id: "clinic-1",
        action: "READ",
        outcome: "DENIED",
        reason: "NOT_THEIRS",
        appointment_id: appt.id,
        request_id: res.requestId,
      },
    ]);
  });

  it("records a successful read as ALLOWED", async () => {
    const appt = await book();
    const res = await call("GET", `/${appt.id}`, "patient");
    expect(res.status).toBe(200);
    expect(await rowsOf(res.requestId)).toEqual([
      expect.objectContaining({ actor_id: people.patient.id, action: "READ", outcome: "ALLOWED", reason: null }),
    ]);
  });

  it("records a doctor cancelling or rescheduling another doctor's appointment as DENIED and changes nothing", async () => {
    const appt = await book("doctor");
    const cancel = await call("POST", `/${appt.id}/cancel`, "doctor2");
    expect(cancel.status).toBe(403);
    expect(await rowsOf(cancel.requestId)).toEqual([
      expect.objectContaining({
        actor_id: people.doctor2.id,
        clinic_id: "clinic-1",
        action: "CANCEL",
        outcome: "DENIED",
        reason: "NOT_THEIRS",
        appointment_id: appt.id,
      }),
    ]);
    const move = await call("POST", `/${appt.id}/reschedule`, "doctor2", { start_time: inMinutes(9000) });
    expect(move.status).toBe(403);
    expect(await rowsOf(move.requestId)).toEqual([
      expect.objectContaining({ action: "RESCHEDULE", outcome: "DENIED", reason: "NOT_THEIRS" }),
    ]);
    expect((await call("GET", `/${appt.id}`, "doctor")).body).toMatchObject({ status: "SCHEDULED" });
  });

  it("answers another clinic's appointment exactly as an unknown one (404), and records both as DENIED", async () => {
    const appt = await book();
    const foreign = await call("GET", `/${appt.id}`, "otherClinicAdmin");
    const unknown = await call("GET", "/appt-00000000-0000-4000-8000-000000000000", "otherClinicAdmin");
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(unknown.body);
    expect(await rowsOf(foreign.requestId)).toEqual([
      expect.objectContaining({
        clinic_id: people.otherClinicAdmin.clinic_id,
        outcome: "DENIED",
        reason: "OTHER_CLINIC",
      }),
    ]);
    expect(await rowsOf(unknown.requestId)).toEqual([
      expect.objectContaining({ clinic_id: people.otherClinicAdmin.clinic_id, outcome: "DENIED", reason: "NOT_FOUND" }),
    ]);
    const cancel = await call("POST", `/${appt.id}/cancel`, "otherClinicDoctor");
    expect(cancel).toMatchObject({ status: 404, body: unknown.body });
    expect(await rowsOf(cancel.requestId)).toEqual([
      expect.objectContaining({
        actor_id: people.otherClinicDoctor.id,
        clinic_id: people.otherClinicDoctor.clinic_id,
        action: "CANCEL",
        reason: "OTHER_CLINIC",
      }),
    ]);
  });

  it("records refused bookings as DENIED and allowed changes and lists as ALLOWED", async () => {
    const refused = await call("POST", "", "patient", {
      patient_id: people.patient.id,
      patient_name: "P",
      start_time: inMinutes(20_000),
      duration_minutes: 30,
    });
    expect(refused.status).toBe(403);
    expect(await rowsOf(refused.requestId)).toEqual([
      expect.objectContaining({ action: "BOOK", outcome: "DENIED", reason: "ROLE_NOT_ALLOWED", appointment_id: null }),
    ]);
    const ownCancel = await book();
    const byPatient = await call("POST", `/${ownCancel.id}/cancel`, "patient");
    expect(byPatient.status).toBe(403);
    expect(await rowsOf(byPatient.requestId)).toEqual([
      expect.objectContaining({ action: "CANCEL", outcome: "DENIED", reason: "ROLE_NOT_ALLOWED" }),
    ]);
    const cancelled = await call("POST", `/${ownCancel.id}/cancel`, "admin");
    expect(cancelled.status).toBe(200);
    expect(await rowsOf(cancelled.requestId)).toEqual([
      expect.objectContaining({
        actor_id: people.admin.id,
        action: "CANCEL",
        outcome: "ALLOWED",
        appointment_id: ownCancel.id,
      }),
    ]);
    const list = await call("GET", "", "patient");
    expect(list.status).toBe(200);
    expect(await rowsOf(list.requestId)).toEqual([
      expect.objectContaining({ action: "LIST", outcome: "ALLOWED", appointment_id: null }),
    ]);
  });

  it("records an allowed booking with the new appointment's id", async () => {
    slot += 60;
    const res = await call("POST", "", "doctor", {
      patient_id: people.patient.id,
      patient_name: "P",
      start_time: inMinutes(slot),
      duration_minutes: 30,
    });
    expect(res.status).toBe(201);
    expect(await rowsOf(res.requestId)).toEqual([
      expect.objectContaining({ action: "BOOK", outcome: "ALLOWED", reason: null, appointment_id: res.body.id }),
    ]);
  });
});

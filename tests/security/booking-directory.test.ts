import { randomUUID } from "node:crypto";
import { type Appointment, type AppointmentList, type CreatedUser, demoUsers } from "@clinic/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, busTopology } from "../support/bus.ts";
import { call } from "../support/http.ts";
import { people } from "../support/people.ts";
import { type System, startSystem } from "../support/system.ts";

/**
 * Booking against the real auth service's directory (issue 11): the appointments service asks
 * `GET /api/auth/directory/{id}` with the caller's token, so only people the clinic's admin
 * created, still active, with the right role, in the caller's clinic, can be booked; their
 * names are the directory's.
 */
describe(`booking checks the auth service's directory (${backend})`, () => {
  const topology = busTopology("bookdir");
  let system: System;
  const tokens: Record<"admin" | "doctor", string> = { admin: "", doctor: "" };
  let slot = 0;

  beforeAll(async () => {
    system = await startSystem({ bus: await topology.connect(), video: false, directory: "auth" });
    for (const who of ["admin", "doctor"] as const) {
      const { email, password } = demoUsers[who];
      const login = await call<{ access_token: string }>(system.urls.auth, "POST", "/api/auth/login", {
        body: { email, password },
      });
      expect(login.status, login.text).toBe(200);
      tokens[who] = login.body.access_token;
    }
  });
  afterAll(async () => {
    await system?.close();
    await topology.cleanup();
  });

  const createUser = async (role: "PATIENT" | "DOCTOR", name: string) => {
    const created = await call<CreatedUser>(system.urls.auth, "POST", "/api/auth/users", {
      token: tokens.admin,
      body: { role, name, email: `${role.toLowerCase()}-${randomUUID()}@clinic.test` },
    });
    expect(created.status, created.text).toBe(201);
    return created.body.user;
  };
  const deactivate = async (id: string) => {
    const reply = await call(system.urls.auth, "PATCH", `/api/auth/users/${id}`, {
      token: tokens.admin,
      body: { active: false },
    });
    expect(reply.status, reply.text).toBe(200);
  };
  const book = (token: string, body: object) => {
    slot += 60;
    return call<Appointment & { code: string }>(system.urls.appointments, "POST", "/api/appointments", {
      token,
      body: { start_time: new Date(Date.now() + (60 + slot) * 60_000).toISOString(), duration_minutes: 30, ...body },
    });
  };
  const clinicAppointments = async () => {
    const list = await call<AppointmentList>(system.urls.appointments, "GET", "/api/appointments?limit=100", {
      token: tokens.admin,
    });
    expect(list.status, list.text).toBe(200);
    return list.body.total;
  };

  it("books a patient the admin just created, under the directory's name; refuses them once deactivated", async () => {
    const patient = await createUser("PATIENT", "Nadia Newpatient");
    const booked = await book(tokens.doctor, { patient_id: patient.id, patient_name: "Somebody Else" });
    expect(booked.status, booked.text).toBe(201);
    expect(booked.body).toMatchObject({
      patient_id: patient.id,
      patient_name: "Nadia Newpatient",
      doctor_id: demoUsers.doctor.id,
      doctor_name: demoUsers.doctor.name,
      clinic_id: demoUsers.doctor.clinic_id,
    });

    await deactivate(patient.id);
    const before = await clinicAppointments();
    const refused = await book(tokens.doctor, { patient_id: patient.id });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.code).toBe("PATIENT_INACTIVE");
    expect(await clinicAppointments()).toBe(before);
  });

  it("refuses an unknown patient, a doctor's id as the patient, and another clinic's caller", async () => {
    const unknown = await book(tokens.doctor, { patient_id: "pat-nobody-here" });
    expect(unknown.status, unknown.text).toBe(400);
    expect(unknown.body).toMatchObject({ code: "UNKNOWN_PATIENT", error: "No patient with this id in your clinic" });

    const doctorAsPatient = await book(tokens.doctor, { patient_id: demoUsers.doctor2.id });
    expect(doctorAsPatient.body.code).toBe("UNKNOWN_PATIENT");

    // A doctor of another clinic asks the directory as themselves: the demo clinic's patient is nobody to them.
    const foreign = await book(await system.token(people.otherClinicDoctor), { patient_id: demoUsers.patient.id });
    expect(foreign.status, foreign.text).toBe(400);
    expect(foreign.body.code).toBe("UNKNOWN_PATIENT");
  });

  it("admin booking: the doctor must be an active doctor of the clinic", async () => {
    const doctor = await createUser("DOCTOR", "Dr. Temporary Locum");
    const ok = await book(tokens.admin, { patient_id: demoUsers.patient.id, doctor_id: doctor.id });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body).toMatchObject({ doctor_id: doctor.id, doctor_name: "Dr. Temporary Locum" });

    await deactivate(doctor.id);
    const inactive = await book(tokens.admin, { patient_id: demoUsers.patient.id, doctor_id: doctor.id });
    expect(inactive.body.code).toBe("DOCTOR_INACTIVE");
    const unknown = await book(tokens.admin, { patient_id: demoUsers.patient.id, doctor_id: "doc-nobody-here" });
    expect(unknown.body.code).toBe("UNKNOWN_DOCTOR");
    const patientAsDoctor = await book(tokens.admin, {
      patient_id: demoUsers.patient.id,
      doctor_id: demoUsers.patient.id,
    });
    expect(patientAsDoctor.body.code).toBe("UNKNOWN_DOCTOR");
  });
});

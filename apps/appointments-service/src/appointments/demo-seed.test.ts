import { fileURLToPath } from "node:url";
import { type Appointment, demoClinic, demoUsers, EventTypes } from "@clinic/contracts";
import { type AuthUser, type CloudEvent, InProcessBus, migrate, openDatabase } from "@clinic/platform";
import { testDatabase } from "@clinic/platform/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppointmentsTables } from "../database.ts";
import { startTestApp, type TestApp } from "../testing/test-app.ts";
import { createAppointmentsService } from "./appointments.service.ts";
import { demoDirectory, seedDemoAppointments } from "./demo-seed.ts";

const asUser = ({ password: _password, ...user }: (typeof demoUsers)[keyof typeof demoUsers]): AuthUser => user;

describe("demo seed in the app (SEED_DEMO=1)", () => {
  let t: TestApp;
  const booked: CloudEvent[] = [];
  const startedAt = new Date("2026-11-25T09:30:27.000Z");

  beforeAll(async () => {
    const bus = new InProcessBus();
    await bus.subscribe("video-service", [EventTypes.appointmentBooked], async (e) => {
      booked.push(e);
    });
    t = await startTestApp({ bus, env: { SEED_DEMO: "1" }, now: () => startedAt });
  });
  afterAll(() => t.close());

  const list = async (user: AuthUser) => {
    const res = await t.app.inject({ url: "/api/appointments?limit=100", headers: await t.authAs(user) });
    return res.json() as { total: number; appointments: Appointment[] };
  };

  it("books the demo doctor's day and week, one starting at start-up, one for the second doctor, one completed", async () => {
    const { appointments, total } = await list(asUser(demoUsers.admin));
    expect(total).toBe(8);
    expect(appointments.every((a) => a.clinic_id === demoClinic.id)).toBe(true);
    // Everyone booked is someone the auth service's demo seed creates, named as there.
    const demoNames = new Map<string, string>(Object.values(demoUsers).map((u) => [u.id, u.name]));
    for (const a of appointments) {
      expect(demoNames.get(a.patient_id), a.patient_id).toBe(a.patient_name);
      expect(demoNames.get(a.doctor_id), a.doctor_id).toBe(a.doctor_name);
    }
    const startingNow = appointments.find((a) => a.start_time === "2026-11-25T09:30:00.000Z");
    expect(startingNow).toMatchObject({ doctor_id: "doc_ada", patient_id: "pat_john", status: "SCHEDULED" });
    expect(appointments.filter((a) => a.doctor_id === "doc_grace")).toHaveLength(1);
    const completed = appointments.filter((a) => a.status === "COMPLETED");
    expect(completed).toHaveLength(1);
    expect(Date.parse(completed[0]!.start_time)).toBeLessThan(startedAt.getTime());
    const weekEnd = startedAt.getTime() + 7 * 24 * 3600_000;
    expect(appointments.every((a) => Date.parse(a.start_time) < weekEnd)).toBe(true);
  });

  it("shows the demo doctor and patient their own part of it", async () => {
    const doctor = await list(asUser(demoUsers.doctor));
    expect(doctor.total).toBe(7);
    expect(doctor.appointments.every((a) => a.doctor_name === "Dr. Ada Lovelace")).toBe(true);
    const patient = await list(asUser(demoUsers.patient));
    expect(patient.appointments.every((a) => a.patient_id === "pat_john")).toBe(true);
    expect(patient.appointments.map((a) => a.doctor_id)).toContain("doc_grace");
  });

  it("publishes appointment.booked for every seeded appointment", async () => {
    await expect.poll(() => booked.length, { timeout: 5000 }).toBe(8);
    expect(new Set(booked.map((e) => e.subject)).size).toBe(8);
  });
});

describe("seedDemoAppointments", () => {
  it("seeds a clinic without appointments once; later starts only add one appointment starting now", async () => {
    const target = testDatabase("appointments-seed");
    const database = await openDatabase<AppointmentsTables>(target.options);
    try {
      await migrate(database, fileURLToPath(new URL("../migrations", import.meta.url)));
      let clock = new Date("2026-11-25T09:30:00.000Z");
      const service = createAppointmentsService({ db: database.db, directory: demoDirectory, now: () => clock });
      const logger = pino({ level: "silent" });
      const first = clock;
      expect(await seedDemoAppointments(database.db, service, logger, first)).toBe(8);
      // Started again at once: the clinic has its appointments, and one starting now.
      expect(await seedDemoAppointments(database.db, service, logger, first)).toBe(0);
      const count = async () => (await database.db.selectFrom("appointments").select("id").execute()).length;
      expect(await count()).toBe(8);
      // Started again on another day: only a new appointment starting then is added.
      const later = new Date("2026-12-09T14:00:00.000Z");
      clock = later;
      expect(await seedDemoAppointments(database.db, service, logger, later)).toBe(0);
      expect(await count()).toBe(9);
      const added = await database.db
        .selectFrom("appointments")
        .selectAll()
        .where("start_time", "=", later)
        .executeTakeFirstOrThrow();
      expect(added).toMatchObject({ doctor_id: "doc_ada", patient_id: "pat_john", status: "SCHEDULED" });
    } finally {
      await database.close();
      await target.drop();
    }
  });
});

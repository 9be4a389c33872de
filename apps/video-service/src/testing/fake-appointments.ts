import { randomUUID } from "node:crypto";
import type { Appointment } from "@clinic/contracts";
import { testPeople } from "@clinic/platform/testing";
import Fastify from "fastify";

/**
 * A stand-in for the appointments service over real HTTP, used only for the appointment
 * lookup (the appointments service is another issue's work). It answers like the real one:
 * 401 without a bearer token, 404 for an unknown id, the Appointment otherwise. `mode`
 * makes it slow, failing or refusing, to test the client's timeout and error mapping.
 */
export interface FakeAppointments {
  url: string;
  add(appointment: Appointment): Appointment;
  set(id: string, patch: Partial<Appointment>): void;
  mode: "normal" | "slow" | "error" | "forbidden" | "garbage";
  /** Authorization headers received, to check the caller's token is forwarded. */
  seenAuthorization: string[];
  close(): Promise<void>;
}

export async function startFakeAppointments(): Promise<FakeAppointments> {
  const appointments = new Map<string, Appointment>();
  const server = Fastify({ logger: false });
  const fake: FakeAppointments = {
    url: "",
    add(appointment) {
      appointments.set(appointment.id, appointment);
      return appointment;
    },
    set(id, patch) {
      const current = appointments.get(id);
      if (current) appointments.set(id, { ...current, ...patch });
    },
    mode: "normal",
    seenAuthorization: [],
    close: () => server.close(),
  };
  server.get("/health", async () => ({ status: "UP" }));
  server.get<{ Params: { id: string } }>("/api/appointments/:id", async (request, reply) => {
    fake.seenAuthorization.push(request.headers.authorization ?? "");
    if (!request.headers.authorization?.startsWith("Bearer ")) {
      return reply.status(401).send({ error: "Authentication required", status: 401, code: "UNAUTHORIZED" });
    }
    if (fake.mode === "slow") await new Promise((r) => setTimeout(r, 1500));
    if (fake.mode === "error") return reply.status(500).send({ error: "boom", status: 500, code: "INTERNAL" });
    if (fake.mode === "forbidden") return reply.status(403).send({ error: "no", status: 403, code: "FORBIDDEN" });
    if (fake.mode === "garbage") return reply.send({ id: request.params.id, what: "not an appointment" });
    const appointment = appointments.get(request.params.id);
    if (!appointment) return reply.status(404).send({ error: "Appointment not found", status: 404, code: "NOT_FOUND" });
    return appointment;
  });
  const address = await server.listen({ port: 0, host: "127.0.0.1" });
  fake.url = address;
  return fake;
}

export function appointmentFixture(overrides: Partial<Appointment> & { start_time: string }): Appointment {
  const now = new Date().toISOString();
  return {
    id: `appt-${randomUUID()}`,
    clinic_id: testPeople.doctor.clinic_id,
    doctor_id: testPeople.doctor.id,
    doctor_name: testPeople.doctor.name,
    patient_id: testPeople.patient.id,
    patient_name: testPeople.patient.name,
    duration_minutes: 30,
    booking_type: "CLINIC_BASED",
    video_enabled: true,
    status: "SCHEDULED",
    session_id: null,
    consultation_duration_minutes: null,
    created_at: now,
    updated_at: now,
    ...overrides,
  };
}

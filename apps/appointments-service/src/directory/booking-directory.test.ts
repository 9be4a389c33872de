import type { AddressInfo } from "node:net";
import { type Appointment, EventTypes } from "@clinic/contracts";
import { AppError, type CloudEvent, type InProcessBus } from "@clinic/platform";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inMinutes, type Person, people, startTestApp, type TestApp } from "../testing/test-app.ts";
import { createDirectoryClient, type DirectoryPerson } from "./directory.client.ts";

/** The stub's people: the test people, active, and some who must never be booked. */
const gonePatient = { id: "pat-gone", role: "PATIENT", clinic_id: "clinic-1", name: "Gone Patient", email: "g@x.test" };
const goneDoctor = { id: "doc-gone", role: "DOCTOR", clinic_id: "clinic-1", name: "Dr. Gone", email: "dg@x.test" };
const directoryPeople: DirectoryPerson[] = [
  ...Object.values(people).map(({ id, role, name, email, clinic_id }) => ({
    id,
    role,
    name,
    email,
    clinic_id,
    active: true,
  })),
  { ...gonePatient, role: "PATIENT", active: false },
  { ...goneDoctor, role: "DOCTOR", active: false },
];

type Mode = "contract" | "error500" | "garbage" | "hang";
interface Seen {
  id: string;
  authorization: string | undefined;
  sub: unknown;
  clinic: unknown;
}

/**
 * A small stand-in for the auth service's `GET /api/auth/directory/{id}` as the contract
 * describes it: answers as the caller (the bearer token's subject and clinic), DOCTOR or
 * ADMIN only, 404 for an unknown id or another clinic's person. It records what reached it.
 */
async function startDirectoryStub() {
  const app: FastifyInstance = Fastify({ logger: false });
  const state = { mode: "contract" as Mode, seen: [] as Seen[], hanging: [] as (() => void)[] };
  app.get<{ Params: { id: string } }>("/api/auth/directory/:id", async (request, reply) => {
    const authorization = request.headers.authorization;
    const token = authorization?.replace(/^Bearer /, "") ?? "";
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString() || "{}");
    state.seen.push({ id: request.params.id, authorization, sub: claims.sub, clinic: claims.clinic_id });
    if (state.mode === "error500") return reply.status(500).send({ error: "boom", status: 500, code: "INTERNAL" });
    if (state.mode === "garbage") return reply.status(200).send({ hello: "world" });
    if (state.mode === "hang") {
      await new Promise<void>((resolve) => state.hanging.push(resolve));
      return reply.status(500).send({});
    }
    if (!claims.sub) return reply.status(401).send({ error: "no", status: 401, code: "UNAUTHORIZED" });
    if (claims.role !== "DOCTOR" && claims.role !== "ADMIN") {
      return reply.status(403).send({ error: "no", status: 403, code: "FORBIDDEN" });
    }
    const person = directoryPeople.find((p) => p.id === request.params.id && p.clinic_id === claims.clinic_id);
    if (!person) return reply.status(404).send({ error: "User not found", status: 404, code: "USER_NOT_FOUND" });
    return person;
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    close: async () => {
      for (const release of state.hanging) release();
      await app.close();
    },
  };
}

let stub: Awaited<ReturnType<typeof startDirectoryStub>>;
beforeAll(async () => {
  stub = await startDirectoryStub();
});
afterAll(() => stub?.close());
beforeEach(() => {
  stub.state.mode = "contract";
  stub.state.seen = [];
});

const refusal = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return { status: (err as AppError).status, code: (err as AppError).code };
};

describe("directory client (against a stub of the auth service's contract)", () => {
  const client = () => createDirectoryClient({ baseUrl: `${stub.url}/`, timeoutMs: 300 });
  // Unsigned look-alikes are enough here: the stub only reads whose token reached it.
  const fakeToken = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;
  const caller = {
    user: people.doctor,
    bearerToken: fakeToken({ sub: people.doctor.id, role: "DOCTOR", clinic_id: "clinic-1" }),
  };

  it("answers the person, forwarding the caller's bearer token", async () => {
    expect(await client().find(people.patient.id, caller)).toEqual({
      id: people.patient.id,
      role: "PATIENT",
      name: people.patient.name,
      email: people.patient.email,
      clinic_id: "clinic-1",
      active: true,
    });
    expect(stub.state.seen).toEqual([
      { id: people.patient.id, authorization: `Bearer ${caller.bearerToken}`, sub: "doc-ada", clinic: "clinic-1" },
    ]);
  });

  it("answers undefined for an unknown id (404)", async () => {
    expect(await client().find("pat-nobody", caller)).toBeUndefined();
  });

  it.each([
    ["a 5xx", "error500"],
    ["an answer that is not a person", "garbage"],
    ["no answer within the timeout", "hang"],
  ] as const)("turns %s into 503 DIRECTORY_UNAVAILABLE", async (_label, mode) => {
    stub.state.mode = mode;
    expect(await refusal(client().find(people.patient.id, caller))).toEqual({
      status: 503,
      code: "DIRECTORY_UNAVAILABLE",
    });
  });

  it("turns a refused connection into 503 DIRECTORY_UNAVAILABLE", async () => {
    const closed = Fastify();
    await closed.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(closed.server.address() as AddressInfo).port}`;
    await closed.close();
    const down = createDirectoryClient({ baseUrl: url, timeoutMs: 1000 });
    expect(await refusal(down.find(people.patient.id, caller))).toEqual({ status: 503, code: "DIRECTORY_UNAVAILABLE" });
  });

  it("passes on the auth service's 401 and 403", async () => {
    const patientToken = fakeToken({ sub: people.patient.id, role: "PATIENT", clinic_id: "clinic-1" });
    expect(await refusal(client().find(people.patient.id, { ...caller, bearerToken: patientToken }))).toEqual({
      status: 403,
      code: "FORBIDDEN",
    });
    expect(await refusal(client().find(people.patient.id, { ...caller, bearerToken: fakeToken({}) }))).toEqual({
      status: 401,
      code: "UNAUTHORIZED",
    });
  });
});

describe("booking checks its people in the directory (HTTP, the auth service stubbed)", () => {
  let t: TestApp;
  const booked: CloudEvent[] = [];
  let slot = 0;

  beforeAll(async () => {
    t = await startTestApp({ directory: "http", env: { AUTH_URL: stub.url } });
    await t.bus.subscribe("test-video", [EventTypes.appointmentBooked], async (e) => {
      booked.push(e);
    });
  });
  afterAll(() => t?.close());

  const post = async (person: Person, body: object) => {
    slot += 60;
    const res = await t.app.inject({
      method: "POST",
      url: "/api/appointments",
      headers: await t.auth(person),
      payload: { start_time: inMinutes(slot), duration_minutes: 30, ...body },
    });
    return { status: res.statusCode, body: res.json(), requestId: String(res.headers["x-request-id"]) };
  };
  const stored = async () =>
    (await t.app.appointments.database.db.selectFrom("appointments").select("id").execute()).length;
  const outbox = async () => (await t.app.appointments.database.db.selectFrom("outbox").select("id").execute()).length;
  const auditOf = (requestId: string) =>
    t.app.appointments.database.db
      .selectFrom("appointment_audit")
      .select(["action", "outcome", "reason", "appointment_id"])
      .where("request_id", "=", requestId)
      .execute();

  /** Refused with the code, audited as DENIED with it, and nothing stored or published. */
  async function expectRefused(person: Person, body: object, code: string) {
    const before = { rows: await stored(), events: await outbox() };
    const res = await post(person, body);
    expect(res, JSON.stringify(res.body)).toMatchObject({ status: 400, body: { status: 400, code } });
    expect(typeof res.body.error).toBe("string");
    expect({ rows: await stored(), events: await outbox() }).toEqual(before);
    expect(await auditOf(res.requestId)).toEqual([
      { action: "BOOK", outcome: "DENIED", reason: code, appointment_id: null },
    ]);
    return res;
  }

  it("books a patient of the clinic, with the names the directory gives, whatever the body says", async () => {
    const res = await post("doctor", {
      patient_id: people.patient.id,
      patient_name: "Somebody Else Entirely",
      doctor_name: "Dr. Not Me",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const appt = res.body as Appointment;
    expect(appt).toMatchObject({
      doctor_id: people.doctor.id,
      doctor_name: people.doctor.name,
      patient_id: people.patient.id,
      patient_name: people.patient.name,
    });
    // The stored row and the published event carry the directory's name too.
    const row = await t.app.appointments.database.db
      .selectFrom("appointments")
      .select(["patient_name", "doctor_name"])
      .where("id", "=", appt.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ patient_name: people.patient.name, doctor_name: people.doctor.name });
    await (t.bus as InProcessBus).drain();
    await expect.poll(() => booked.find((e) => e.subject === appt.id), { timeout: 5000 }).toBeDefined();
    expect(booked.find((e) => e.subject === appt.id)?.data).toMatchObject({ patient_name: people.patient.name });
  });

  it("asks the directory as the caller: their own token, so it answers for their clinic", async () => {
    const { authorization } = await t.auth("admin");
    slot += 60;
    const res = await t.app.inject({
      method: "POST",
      url: "/api/appointments",
      headers: { authorization },
      payload: {
        patient_id: people.patient2.id,
        doctor_id: people.doctor2.id,
        start_time: inMinutes(slot),
        duration_minutes: 30,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(stub.state.seen.map((s) => s.id).sort()).toEqual([people.doctor2.id, people.patient2.id].sort());
    for (const seen of stub.state.seen) {
      expect(seen).toMatchObject({ authorization, sub: people.admin.id, clinic: people.admin.clinic_id });
    }
  });

  it("admin booking: names the doctor from the directory, not from doctor_name", async () => {
    const res = await post("admin", {
      patient_id: people.patient.id,
      doctor_id: people.doctor2.id,
      doctor_name: "Dr. Impostor",
      patient_name: "Impostor Patient",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ doctor_name: people.doctor2.name, patient_name: people.patient.name });
  });

  it("refuses an unknown patient: 400 UNKNOWN_PATIENT, 'No patient with this id in your clinic'", async () => {
    const res = await expectRefused(
      "doctor",
      { patient_id: "pat-nobody", patient_name: "Made Up Name" },
      "UNKNOWN_PATIENT",
    );
    expect(res.body.error).toBe("No patient with this id in your clinic");
  });

  it("refuses an inactive patient: 400 PATIENT_INACTIVE", async () => {
    await expectRefused("doctor", { patient_id: gonePatient.id }, "PATIENT_INACTIVE");
  });

  it("refuses a patient of another clinic as unknown", async () => {
    await expectRefused("doctor", { patient_id: people.otherClinicPatient.id }, "UNKNOWN_PATIENT");
    // …and the other clinic's doctor cannot book this clinic's patient either.
    await expectRefused("otherClinicDoctor", { patient_id: people.patient.id }, "UNKNOWN_PATIENT");
  });

  it("refuses a doctor's id given as the patient as unknown", async () => {
    await expectRefused("doctor", { patient_id: people.doctor2.id }, "UNKNOWN_PATIENT");
    await expectRefused("admin", { patient_id: people.admin.id, doctor_id: people.doctor.id }, "UNKNOWN_PATIENT");
  });

  it("admin booking: refuses an unknown, inactive or non-doctor doctor", async () => {
    const patient = { patient_id: people.patient.id };
    await expectRefused("admin", { ...patient, doctor_id: "doc-nobody" }, "UNKNOWN_DOCTOR");
    await expectRefused("admin", { ...patient, doctor_id: goneDoctor.id }, "DOCTOR_INACTIVE");
    await expectRefused("admin", { ...patient, doctor_id: people.patient2.id }, "UNKNOWN_DOCTOR");
    // This clinic's doctor is nobody to another clinic's admin.
    await expectRefused(
      "otherClinicAdmin",
      { patient_id: people.otherClinicPatient.id, doctor_id: "doc-bob" },
      "UNKNOWN_DOCTOR",
    );
  });

  it("refuses a deactivated doctor booking for themselves with a token still valid", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/appointments",
      headers: await t.authAs({ ...goneDoctor, role: "DOCTOR" }),
      payload: { patient_id: people.patient.id, start_time: inMinutes(50_000), duration_minutes: 30 },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: "DOCTOR_INACTIVE" });
  });

  it.each([
    ["answers 5xx", "error500"],
    ["answers nonsense", "garbage"],
  ] as const)("answers 503 DIRECTORY_UNAVAILABLE and stores nothing when the directory %s", async (_label, mode) => {
    stub.state.mode = mode;
    const before = { rows: await stored(), events: await outbox() };
    const res = await post("doctor", { patient_id: people.patient.id });
    expect(res).toMatchObject({ status: 503, body: { status: 503, code: "DIRECTORY_UNAVAILABLE" } });
    expect({ rows: await stored(), events: await outbox() }).toEqual(before);
  });
});

describe("booking while the auth service is down", () => {
  it("answers 503 DIRECTORY_UNAVAILABLE and stores nothing", async () => {
    const closed = Fastify();
    await closed.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(closed.server.address() as AddressInfo).port}`;
    await closed.close();
    const t = await startTestApp({ directory: "http", env: { AUTH_URL: url } });
    try {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/appointments",
        headers: await t.auth("doctor"),
        payload: { patient_id: people.patient.id, start_time: inMinutes(60), duration_minutes: 30 },
      });
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json()).toMatchObject({ code: "DIRECTORY_UNAVAILABLE" });
      const db = t.app.appointments.database.db;
      expect(await db.selectFrom("appointments").select("id").execute()).toEqual([]);
      expect(await db.selectFrom("outbox").select("id").execute()).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

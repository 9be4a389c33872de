/**
 * The video service in its own process for the bench, as it runs in production: real
 * routes, real database (PGlite on disk in a temp folder, or a scratch schema on
 * PostgreSQL), the real token verifier. Start/join need appointment facts, so the real
 * appointments service runs beside it on the same in-process bus (booking publishes
 * `appointment.booked`, the video service creates the session). Access tokens are signed
 * with the bench's own EdDSA key (the auth service is not what is measured here).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp as buildAppointments, loadAppointmentsConfig } from "@clinic/appointments-service";
import type { Appointment } from "@clinic/contracts";
import { type App, createTokenVerifier, type DatabaseOptions, InProcessBus } from "@clinic/platform";
import { createTestTokens } from "@clinic/platform/testing";
import { buildApp, loadVideoConfig } from "@clinic/video-service";
import { type ChildHandle, serveChild } from "../lib/serve-child.ts";
import { explainUsageQuery } from "./usage-explain.ts";
import { analyze, seedSessions, seedUsage } from "./video-seed.ts";
import type { BookedAppointment, VideoServerInfo } from "./video-server-info.ts";

const clinicId = "bench-clinic";
const doctorId = "bench-doctor";
const logLevel = process.env.BENCH_LOG_LEVEL ?? "info";

function databaseOptions(service: string, params: Record<string, unknown>, dir: string): DatabaseOptions {
  if (typeof params.databaseUrl === "string") {
    return { service, url: params.databaseUrl, schema: `${String(params.schema)}_${service.split("-")[0]}` };
  }
  return { service, dataDir: dir };
}

async function listen(app: App): Promise<number> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

serveChild(async (params): Promise<ChildHandle> => {
  const dir = mkdtempSync(join(tmpdir(), "clinic-bench-"));
  const tokens = await createTestTokens();
  const verify = createTokenVerifier({ jwks: tokens.jwks, issuer: tokens.issuer, audience: tokens.audience });
  const bus = new InProcessBus();
  // PORT is not used: the bench listens on a free port itself.
  const env = { LOG_LEVEL: logLevel };

  const appointments = await buildAppointments({
    config: loadAppointmentsConfig({ ...env, SEED_DEMO: "0" }),
    database: databaseOptions("appointments-service", params, dir),
    bus,
    verify,
  });
  const appointmentsPort = await listen(appointments);
  const video = await buildApp({
    // "warn": the cycles create no attendance, but a run must not depend on the free tier.
    config: loadVideoConfig({ ...env, USAGE_LIMIT_POLICY: "warn" }),
    database: databaseOptions("video-service", params, dir),
    bus,
    verify,
    appointmentsUrl: `http://127.0.0.1:${appointmentsPort}`,
  });
  const port = await listen(video);
  const db = video.video.database.db;
  if (typeof params.seedSessions === "number") {
    await seedSessions(db, { count: params.seedSessions, clinicId, doctorId });
    await analyze(db);
  }

  const sign = (id: string, role: "DOCTOR" | "PATIENT" | "ADMIN", name: string) =>
    tokens.sign({ id, role, clinic_id: clinicId, name, email: `${id}@bench.clinic` }, { expiresIn: "2h" });
  const info: VideoServerInfo = {
    database: video.video.database.kind,
    doctorToken: await sign(doctorId, "DOCTOR", "Dr Bench"),
    adminToken: await sign("bench-admin", "ADMIN", "Bench Admin"),
    clinicId,
    doctorId,
  };

  let batch = 0;
  /** One doctor and one patient per appointment (a doctor cannot be booked twice at once). */
  const bookAppointments = async ({ count }: Record<string, unknown>): Promise<BookedAppointment[]> => {
    const n = Number(count);
    const tag = `${process.pid}-${batch++}`;
    const start = new Date(Date.now() + 60_000).toISOString();
    const booked: BookedAppointment[] = [];
    for (let i = 0; i < n; i += 20) {
      const chunk = Array.from({ length: Math.min(20, n - i) }, (_, k) => i + k);
      booked.push(
        ...(await Promise.all(
          chunk.map(async (k) => {
            const doctorToken = await sign(`bench-doc-${tag}-${k}`, "DOCTOR", `Dr Bench ${k}`);
            const patientId = `bench-pat-${tag}-${k}`;
            const patientToken = await sign(patientId, "PATIENT", `Bench Patient ${k}`);
            const response = await appointments.inject({
              method: "POST",
              url: "/api/appointments",
              headers: { authorization: `Bearer ${doctorToken}` },
              payload: {
                patient_id: patientId,
                patient_name: `Bench Patient ${k}`,
                start_time: start,
                duration_minutes: 30,
              },
            });
            if (response.statusCode !== 201) throw new Error(`booking → ${response.statusCode} ${response.body}`);
            return { appointmentId: (response.json() as Appointment).id, doctorToken, patientToken };
          }),
        )),
      );
    }
    // Let `appointment.booked` reach the video service so start finds the CREATED session,
    // as it would for an appointment booked earlier in the day (bounded wait).
    const ids = booked.map((b) => b.appointmentId);
    for (let tries = 0; tries < 600; tries++) {
      const row = await db
        .selectFrom("sessions")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("appointment_id", "in", ids.slice(-1000))
        .executeTakeFirstOrThrow();
      if (Number(row.n) === Math.min(1000, ids.length)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return booked;
  };

  return {
    port,
    info: { ...info, appointmentsPort },
    calls: {
      bookAppointments,
      seedUsage: async (a) => {
        await seedUsage(db, {
          intervals: Number(a.intervals),
          clinicId: String(a.clinicId ?? clinicId),
          month: String(a.month),
          tag: String(a.tag),
        });
        return null;
      },
      analyze: async () => {
        await analyze(db);
        return null;
      },
      explainUsage: (a) => explainUsageQuery(db, String(a.clinicId ?? clinicId), String(a.month)),
    },
    close: async () => {
      await video.close();
      await appointments.close();
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

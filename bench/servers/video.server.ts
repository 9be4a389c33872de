/**
 * The video service in its own process for the bench, as it runs in production: real
 * routes, real database (PGlite on disk in a temp folder, or a scratch schema on
 * PostgreSQL), the real token verifier. Start/join need appointment facts, so the real
 * appointments service runs beside it on the same in-process bus (booking publishes
 * `appointment.booked`, the video service creates the session). Access tokens are signed
 * with the bench's own EdDSA key (the auth service is not what is measured here).
 *
 * Replicas (the cluster scenario): `cluster` gives the instance its INSTANCE_ID and the
 * settings every replica shares (REDIS_URL, a REDIS_KEY_PREFIX of this run, one
 * JOIN_TOKEN_PRIVATE_JWK); `replicaOf` makes it a further instance of a first one: the video
 * service alone on the same PostgreSQL schema, verifying the first one's access tokens
 * (its JWKS) and asking its appointments service. The in-process bus does not cross
 * processes, so only the first instance hears `appointment.booked` (it creates the sessions
 * every instance reads); a further instance's own events go out on a bus of its own that
 * nothing consumes — the scenario measures reads and signalling, which do not depend on them.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants, type IntervalHistogram, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import {
  buildApp as buildAppointments,
  type DirectoryPerson,
  loadAppointmentsConfig,
} from "@clinic/appointments-service";
import type { Appointment } from "@clinic/contracts";
import {
  type App,
  createTokenVerifier,
  type DatabaseOptions,
  InProcessBus,
  type VerifierOptions,
} from "@clinic/platform";
import { createTestTokens, testAudience, testIssuer } from "@clinic/platform/testing";
import { buildApp, loadVideoConfig } from "@clinic/video-service";
import { countRequestsOf, installQueryCounter, queryCounts, resetQueryCounts } from "../lib/query-counter.ts";
import { type ChildHandle, serveChild } from "../lib/serve-child.ts";
import { explainUsageQuery } from "./usage-explain.ts";
import { analyze, seedSessions, seedUsage } from "./video-seed.ts";
import type { BookedAppointment, ClusterMember, ReplicaOf, VideoServerInfo } from "./video-server-info.ts";

const clinicId = "bench-clinic";
const doctorId = "bench-doctor";
const logLevel = process.env.BENCH_LOG_LEVEL ?? "info";

function databaseOptions(service: string, params: Record<string, unknown>, dir: string): DatabaseOptions {
  if (typeof params.databaseUrl === "string") {
    return {
      service,
      url: params.databaseUrl,
      schema: `${String(params.schema)}_${service.split("-")[0]}`,
      // The service's DB_POOL_SIZE (default 10) when the scenario sets one.
      ...(typeof params.poolSize === "number" ? { poolSize: params.poolSize } : {}),
    };
  }
  return { service, dataDir: dir };
}

async function listen(app: App): Promise<number> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** The environment a replica adds: its name and what all instances of the cluster share. */
function clusterEnv(cluster: ClusterMember | undefined): Record<string, string> {
  if (!cluster) return {};
  return {
    INSTANCE_ID: cluster.instanceId,
    REDIS_URL: cluster.redisUrl,
    REDIS_KEY_PREFIX: cluster.redisKeyPrefix,
    JOIN_TOKEN_PRIVATE_JWK: cluster.joinTokenJwk,
  };
}

serveChild(async (params): Promise<ChildHandle> => {
  const cluster = params.cluster as ClusterMember | undefined;
  const replicaOf = params.replicaOf as ReplicaOf | undefined;
  if (replicaOf) return startReplica(params, cluster, replicaOf);
  const dir = mkdtempSync(join(tmpdir(), "clinic-bench-"));
  // Scenario cycles: round trips and transactions per request (bench/lib/query-counter.ts).
  if (params.countQueries) installQueryCounter();
  // Scenario cycles: this child's PostgreSQL connections carry this name, so the scenario can
  // find their backends (pg_stat_activity) and read how much CPU they used.
  if (typeof params.applicationName === "string") process.env.PGAPPNAME = params.applicationName;
  const tokens = await createTestTokens();
  const verify = createTokenVerifier({ jwks: tokens.jwks, issuer: tokens.issuer, audience: tokens.audience });
  const bus = new InProcessBus();
  // PORT is not used: the bench listens on a free port itself. Every bench attendee connects
  // from 127.0.0.1, where a clinic's browsers come from many addresses: the per-address
  // signalling connect limit (60 a minute by default) is raised to what the bench opens.
  const env = { LOG_LEVEL: logLevel, SIGNAL_CONNECTS_PER_MINUTE: "100000" };

  // No auth service here: bookings look their people up in this directory, which knows each
  // bench doctor and patient by the time it is booked (see bookAppointments).
  const benchPeople = new Map<string, DirectoryPerson>();
  const appointments = await buildAppointments({
    config: loadAppointmentsConfig({ ...env, SEED_DEMO: "0" }),
    database: databaseOptions("appointments-service", params, dir),
    bus,
    verify,
    directory: { find: async (id, { user }) => (user.clinic_id === clinicId ? benchPeople.get(id) : undefined) },
  });
  const appointmentsPort = await listen(appointments);
  const video = await buildApp({
    // "warn": the cycles create no attendance, but a run must not depend on the free tier.
    config: loadVideoConfig({ ...env, ...clusterEnv(cluster), USAGE_LIMIT_POLICY: "warn" }),
    database: databaseOptions("video-service", params, dir),
    bus,
    verify,
    appointmentsUrl: `http://127.0.0.1:${appointmentsPort}`,
  });
  const port = await listen(video);
  if (params.countQueries) {
    // The step is the path's last segment (start, join, end, consent, …); the appointments
    // service's answers to the video service's lookups are counted apart.
    countRequestsOf(video.server, (_method, url) => url.split("?")[0]!.split("/").pop());
    countRequestsOf(appointments.server, (method, url) => `appointments ${method} ${url.split("/")[2] ?? url}`);
  }
  const db = video.video.database.db;
  if (typeof params.seedSessions === "number") {
    await seedSessions(db, { count: params.seedSessions, clinicId, doctorId });
    await analyze(db);
  }

  const benchPerson = (id: string, role: "DOCTOR" | "PATIENT", name: string): DirectoryPerson => ({
    id,
    role,
    name,
    email: `${id}@bench.clinic`,
    clinic_id: clinicId,
    active: true,
  });
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
            for (const person of [
              benchPerson(`bench-doc-${tag}-${k}`, "DOCTOR", `Dr Bench ${k}`),
              benchPerson(patientId, "PATIENT", `Bench Patient ${k}`),
            ]) {
              benchPeople.set(person.id, person);
            }
            const response = await appointments.inject({
              method: "POST",
              url: "/api/appointments",
              headers: { authorization: `Bearer ${doctorToken}` },
              payload: { patient_id: patientId, start_time: start, duration_minutes: 30 },
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
    info: { ...info, appointmentsPort, jwks: tokens.jwks, instanceId: video.video.instanceId },
    calls: {
      bookAppointments,
      resetQueryCounts: async () => {
        resetQueryCounts();
        return null;
      },
      queryCounts: async () => queryCounts(),
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
      ...loopWatchCalls(),
    },
    close: async () => {
      await video.close();
      await appointments.close();
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

/** A further instance of a cluster: the video service alone (see the header). */
async function startReplica(
  params: Record<string, unknown>,
  cluster: ClusterMember | undefined,
  replicaOf: ReplicaOf,
): Promise<ChildHandle> {
  if (typeof params.databaseUrl !== "string" || !cluster) {
    throw new Error("a replica needs the first instance's PostgreSQL schema and the cluster settings");
  }
  const bus = new InProcessBus();
  const video = await buildApp({
    config: loadVideoConfig({
      LOG_LEVEL: logLevel,
      SIGNAL_CONNECTS_PER_MINUTE: "100000",
      USAGE_LIMIT_POLICY: "warn",
      ...clusterEnv(cluster),
    }),
    database: databaseOptions("video-service", params, ""),
    bus,
    verify: createTokenVerifier({
      jwks: replicaOf.jwks as VerifierOptions["jwks"],
      issuer: testIssuer,
      audience: testAudience,
    }),
    appointmentsUrl: replicaOf.appointmentsUrl,
  });
  const port = await listen(video);
  return {
    port,
    info: { instanceId: video.video.instanceId, database: video.video.database.kind },
    close: async () => {
      await video.close();
      await bus.close();
    },
  };
}

/**
 * Scenario signalling: how long the event loop was blocked during a phase
 * (`monitorEventLoopDelay`, 1 ms resolution) and, with `profile` set (a file path), a CPU
 * profile of that phase alone (the inspector's profiler, not `--cpu-prof`, which covers the setup too).
 */
function loopWatchCalls() {
  let histogram: IntervalHistogram | undefined;
  let session: Session | undefined;
  let profilePath: string | undefined;
  let gcObserver: PerformanceObserver | undefined;
  let gcs: { kind: number; ms: number }[] = [];
  return {
    watchLoopStart: async (a: Record<string, unknown>) => {
      histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      gcs = [];
      gcObserver = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const detail = (e as { detail?: { kind?: number } }).detail;
          gcs.push({ kind: detail?.kind ?? 0, ms: e.duration });
        }
      });
      gcObserver.observe({ entryTypes: ["gc"] });
      if (typeof a.profile === "string") {
        profilePath = a.profile;
        session = new Session();
        session.connect();
        await session.post("Profiler.enable");
        await session.post("Profiler.setSamplingInterval", { interval: 200 });
        await session.post("Profiler.start");
      }
      return null;
    },
    watchLoopStop: async () => {
      histogram?.disable();
      const ms = (ns: number) => Math.round(ns / 10_000) / 100;
      const delay = histogram
        ? {
            p50_ms: ms(histogram.percentile(50)),
            p99_ms: ms(histogram.percentile(99)),
            p999_ms: ms(histogram.percentile(99.9)),
            max_ms: ms(histogram.max),
          }
        : null;
      gcObserver?.disconnect();
      gcObserver = undefined;
      const pauses = (kind: number) => {
        const of = gcs.filter((g) => g.kind === kind).map((g) => g.ms);
        return {
          count: of.length,
          total_ms: Math.round(of.reduce((s, v) => s + v, 0) * 100) / 100,
          max_ms: Math.round(Math.max(0, ...of) * 100) / 100,
        };
      };
      // GC pauses during the phase, by kind (scavenges: the young generation; mark-compacts: the whole heap).
      const gc = {
        scavenge: pauses(constants.NODE_PERFORMANCE_GC_MINOR),
        mark_compact: pauses(constants.NODE_PERFORMANCE_GC_MAJOR),
        incremental: pauses(constants.NODE_PERFORMANCE_GC_INCREMENTAL),
        weak_callbacks: pauses(constants.NODE_PERFORMANCE_GC_WEAKCB),
      };
      if (session && profilePath) {
        const { profile } = await session.post("Profiler.stop");
        writeFileSync(profilePath, JSON.stringify(profile));
        session.disconnect();
      }
      histogram = undefined;
      session = undefined;
      return delay ? { ...delay, gc } : null;
    },
  };
}

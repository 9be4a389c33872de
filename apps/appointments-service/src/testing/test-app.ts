import { type App, type AuthUser, createTokenVerifier, type EventBus, InProcessBus } from "@clinic/platform";
import { captureLogs, createTestTokens, testDatabase, testPeople } from "@clinic/platform/testing";
import { buildApp } from "../app.ts";
import { loadAppointmentsConfig } from "../config.ts";
import { type Directory, staticDirectory } from "../directory/directory.client.ts";

/** People of two clinics, for authorisation tests: the one list of test users, under this harness's keys. */
export const people = {
  doctor: testPeople.doctor,
  doctor2: testPeople.otherDoctor,
  patient: testPeople.patient,
  patient2: testPeople.otherPatient,
  admin: testPeople.admin,
  // Same doctor id, another clinic: ids are only unique within a clinic's trust boundary.
  otherClinicDoctor: testPeople.otherClinicDoctor,
  otherClinicAdmin: testPeople.otherClinicAdmin,
  // A patient of the other clinic, so its doctor has someone to book.
  otherClinicPatient: {
    id: "pat-xan",
    role: "PATIENT",
    clinic_id: "clinic-2",
    name: "Xanthe Otherclinic",
    email: "xan@mail.test",
  } satisfies AuthUser,
};
export type Person = keyof typeof people;

/** The clinic's directory as these tests' auth service would answer it: every test person, active. */
export const testDirectory: Directory = staticDirectory(Object.values(people));

export interface TestApp {
  app: App;
  bus: EventBus;
  logs: ReturnType<typeof captureLogs>;
  /** Authorization header for one of `people`. */
  auth(person: Person): Promise<{ authorization: string }>;
  /** Authorization header for any user (e.g. the demo people); `claims` are added to the token (e.g. an invite scope). */
  authAs(user: AuthUser, claims?: Record<string, unknown>): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/** The real app on a fresh database (PostgreSQL schema or PGlite), with test-signed tokens. */
export async function startTestApp(
  options: {
    bus?: EventBus;
    env?: Record<string, string>;
    now?: () => Date;
    /** Default `testDirectory`; "http" asks the auth service at AUTH_URL (a stub of it) as production does. */
    directory?: Directory | "http";
  } = {},
) {
  const tokens = await createTestTokens();
  const target = testDatabase("appointments");
  const bus = options.bus ?? new InProcessBus({ retryDelayMs: 5 });
  const logs = captureLogs();
  const config = loadAppointmentsConfig({
    SEED_DEMO: "0",
    LOG_LEVEL: "info",
    OUTBOX_INTERVAL_MS: "100",
    ...options.env,
  });
  const app = await buildApp({
    config,
    database: target.options,
    bus,
    logStream: logs.stream,
    verify: createTokenVerifier({ jwks: tokens.jwks, issuer: tokens.issuer, audience: tokens.audience }),
    ...(options.directory === "http" ? {} : { directory: options.directory ?? testDirectory }),
    ...(options.now ? { now: options.now } : {}),
  });
  const result: TestApp = {
    app,
    bus,
    logs,
    auth: async (person) => ({ authorization: `Bearer ${await tokens.sign(people[person])}` }),
    authAs: async (user, claims) => ({ authorization: `Bearer ${await tokens.sign(user, claims)}` }),
    close: async () => {
      await app.close();
      await target.drop();
    },
  };
  return result;
}

export const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

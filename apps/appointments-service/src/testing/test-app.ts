import { type App, type AuthUser, createTokenVerifier, type EventBus, InProcessBus } from "@clinic/platform";
import { captureLogs, createTestTokens, testDatabase } from "@clinic/platform/testing";
import { buildApp } from "../app.ts";
import { loadAppointmentsConfig } from "../config.ts";

/** People of two clinics, for authorisation tests. */
export const people = {
  doctor: { id: "doc_a", role: "DOCTOR", clinic_id: "clinic-1", name: "Dr. Alpha", email: "a@clinic1.test" },
  doctor2: { id: "doc_b", role: "DOCTOR", clinic_id: "clinic-1", name: "Dr. Beta", email: "b@clinic1.test" },
  patient: { id: "pat_p", role: "PATIENT", clinic_id: "clinic-1", name: "Pat Patient", email: "p@clinic1.test" },
  patient2: { id: "pat_q", role: "PATIENT", clinic_id: "clinic-1", name: "Quinn Patient", email: "q@clinic1.test" },
  admin: { id: "adm_1", role: "ADMIN", clinic_id: "clinic-1", name: "Admin One", email: "adm@clinic1.test" },
  // Same doctor id, another clinic: ids are only unique within a clinic's trust boundary.
  otherClinicDoctor: { id: "doc_a", role: "DOCTOR", clinic_id: "clinic-2", name: "Dr. Other", email: "o@c2.test" },
  otherClinicAdmin: { id: "adm_2", role: "ADMIN", clinic_id: "clinic-2", name: "Admin Two", email: "adm@c2.test" },
} satisfies Record<string, AuthUser>;
export type Person = keyof typeof people;

export interface TestApp {
  app: App;
  bus: EventBus;
  logs: ReturnType<typeof captureLogs>;
  /** Authorization header for one of `people`. */
  auth(person: Person): Promise<{ authorization: string }>;
  /** Authorization header for any user (e.g. the demo people). */
  authAs(user: AuthUser): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/** The real app on a fresh database (PostgreSQL schema or PGlite), with test-signed tokens. */
export async function startTestApp(options: { bus?: EventBus; env?: Record<string, string>; now?: () => Date } = {}) {
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
    ...(options.now ? { now: options.now } : {}),
  });
  const result: TestApp = {
    app,
    bus,
    logs,
    auth: async (person) => ({ authorization: `Bearer ${await tokens.sign(people[person])}` }),
    authAs: async (user) => ({ authorization: `Bearer ${await tokens.sign(user)}` }),
    close: async () => {
      await app.close();
      await target.drop();
    },
  };
  return result;
}

export const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

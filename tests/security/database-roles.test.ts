import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { migrate, openDatabase, purgeDeliveredEvents } from "@clinic/platform";
import { eventually } from "@clinic/platform/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { busTopology, databaseUrl } from "../support/bus.ts";
import { appointmentStatus, bookNow, endSession, giveConsent, startSession } from "../support/flows.ts";
import { call } from "../support/http.ts";
import { type System, startSystem } from "../support/system.ts";

/**
 * Two database roles (docs/operations.md, "Database roles"): an owner runs the migrations
 * (DATABASE_OWNER_URL), the services connect as a role that only has DML — SELECT and
 * INSERT on the append-only tables — so it can neither rewrite the audit trail nor drop or
 * disable the triggers that guard it. Roles are cluster-wide: unique names per run, dropped
 * afterwards (trust authentication on 127.0.0.1 lets any role log in without a password).
 */
describe.skipIf(!databaseUrl)("database roles: owner migrates, the service's role only has DML (PostgreSQL)", () => {
  const run = randomBytes(4).toString("hex");
  const ownerRole = `clinic_owner_test_${run}`;
  const appRole = `clinic_app_test_${run}`;
  const schemas = {
    auth: `t_roles_auth_${run}`,
    appointments: `t_roles_appointments_${run}`,
    video: `t_roles_video_${run}`,
  };
  const legacySchema = `t_roles_legacy_${run}`;
  const urlFor = (role: string) => {
    const url = new URL(databaseUrl as string);
    url.username = role;
    url.password = "";
    return url.toString();
  };
  const q = pg.escapeIdentifier;
  const topology = busTopology("roles");
  let system: System | undefined;

  async function asSuperuser(statements: string[]): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  }

  /** A connection as the services' own role, on one service's schema. */
  async function asApp<T>(schema: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: urlFor(appRole), options: `-c search_path=${schema}` });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  const databaseOf = (service: keyof typeof schemas, name: string) => ({
    options: {
      service: name,
      url: urlFor(appRole),
      ownerUrl: urlFor(ownerRole),
      schema: schemas[service],
      poolSize: 3,
    },
    drop: async () => undefined,
  });

  beforeAll(async () => {
    await asSuperuser([
      `CREATE ROLE ${q(ownerRole)} LOGIN`,
      `CREATE ROLE ${q(appRole)} LOGIN`,
      // The owner role may not create schemas in the shared test database; each is made for it.
      ...Object.values(schemas).map((schema) => `CREATE SCHEMA ${q(schema)} AUTHORIZATION ${q(ownerRole)}`),
    ]);
    system = await startSystem({
      bus: await topology.connect(),
      databases: {
        auth: databaseOf("auth", "auth-service"),
        appointments: databaseOf("appointments", "appointments-service"),
        video: databaseOf("video", "video-service"),
      },
    });
  });

  afterAll(async () => {
    await system?.close();
    await topology.cleanup();
    await asSuperuser([
      ...[...Object.values(schemas), legacySchema].map((schema) => `DROP SCHEMA IF EXISTS ${q(schema)} CASCADE`),
      // Default privileges and any grant left elsewhere, then the roles themselves.
      `DROP OWNED BY ${q(appRole)}, ${q(ownerRole)}`,
      `DROP ROLE IF EXISTS ${q(appRole)}`,
      `DROP ROLE IF EXISTS ${q(ownerRole)}`,
    ]);
  });

  it("runs every service on the restricted role: a consultation from booking to completed", async () => {
    const s = system as System;
    const doctor = await s.token("doctor");
    const appointment = await bookNow(s);
    const started = await startSession(s.urls.video, doctor, appointment.id);
    expect(started.status, started.text).toBe(200);
    const sessionId = started.body.session_id;
    await giveConsent(s.urls.video, await s.token("patient"), sessionId);
    const joined = await call(s.urls.video, "POST", `/api/video/sessions/${sessionId}/join`, {
      token: await s.token("patient"),
      body: {},
    });
    expect(joined.status, joined.text).toBe(200);
    expect((await endSession(s.urls.video, doctor, sessionId, { notes: "seen" })).status).toBe(200);
    // Outbox (UPDATE sent_at), bus, inbox (INSERT) and the appointment's update, as the runtime role.
    await eventually(
      "the appointment to be COMPLETED",
      async () => (await appointmentStatus(s, appointment.id)).status === "COMPLETED",
    );
    const cancelled = await bookNow(s, "doctor", "patient", 120);
    const cancel = await call(s.urls.appointments, "POST", `/api/appointments/${cancelled.id}/cancel`, {
      token: doctor,
    });
    expect(cancel.status, cancel.text).toBe(200);
  });

  it("lets the service's role purge delivered events (outbox and inbox are not append-only)", async () => {
    const s = system as System;
    await bookNow(s); // appointment.booked: a sent outbox row here, a processed inbox row in video
    const purgeAs = async (service: "appointments" | "video", name: string) => {
      const database = await openDatabase({ service: name, url: urlFor(appRole), schema: schemas[service] });
      try {
        // Everything delivered counts as old: the retention pass's own statements, as the runtime role.
        return await purgeDeliveredEvents(database.db, { before: new Date(Date.now() + 86_400_000) });
      } finally {
        await database.close();
      }
    };
    const unsent = (schema: string) =>
      asApp(schema, async (client) => {
        const { rows } = await client.query("SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL");
        return rows[0].n as number;
      });
    const processed = (schema: string) =>
      asApp(schema, async (client) => (await client.query("SELECT count(*)::int AS n FROM inbox")).rows[0].n as number);
    await eventually("the booking to be sent and processed", async () => {
      return (await unsent(schemas.appointments)) === 0 && (await processed(schemas.video)) > 0;
    });
    expect((await purgeAs("appointments", "appointments-service")).outbox).toBeGreaterThan(0);
    expect((await purgeAs("video", "video-service")).inbox).toBeGreaterThan(0);
    expect(await processed(schemas.video)).toBe(0);
  });

  const guarded = [
    ["appointments", "appointment_audit", "appointment_audit_no_update", "appointment_audit_is_append_only"],
    ["video", "audit_log", "audit_log_no_update", "audit_log_is_append_only"],
    ["video", "consent_answers", "consent_answers_no_update", "consent_is_append_only"],
    ["video", "consent_texts", "consent_texts_no_update", "consent_is_append_only"],
  ] as const;

  it.each(guarded)(
    "%s.%s: the service's role adds rows, but cannot change them or remove the guard",
    async (service, table, trigger, fn) => {
      await asApp(schemas[service], async (client) => {
        const count = async () => (await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;
        if (table === "appointment_audit" || table === "audit_log") {
          await client.query(
            `INSERT INTO ${table} (actor_id, actor_role, clinic_id, action, outcome) VALUES ('x', 'DOCTOR', 'clinic-1', 'READ', 'ALLOWED')`,
          );
        }
        // Privileges are checked before any row is looked at: an empty table refuses alike.
        const before = await count();
        const refusals: [string, RegExp][] = [
          [`UPDATE ${table} SET clinic_id = 'y'`, /permission denied/],
          [`DELETE FROM ${table}`, /permission denied/],
          [`TRUNCATE ${table}`, /permission denied/],
          [`DROP TRIGGER ${trigger} ON ${table}`, /must be owner/],
          [`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`, /must be owner/],
          [`ALTER TABLE ${table} DISABLE TRIGGER ALL`, /must be owner/],
          [`ALTER TABLE ${table} OWNER TO ${q(appRole)}`, /must be owner/],
          [`DROP TABLE ${table}`, /must be owner/],
          [
            `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
            /must be owner|permission denied/,
          ],
          [`DROP FUNCTION ${fn}() CASCADE`, /must be owner/],
        ];
        for (const [statement, refusal] of refusals) {
          await expect(client.query(statement), statement).rejects.toThrow(refusal);
        }
        expect(await count()).toBe(before);
        const enabled = await client.query(
          "SELECT tgenabled FROM pg_trigger WHERE tgname = $1 AND tgrelid = to_regclass($2)",
          [trigger, table],
        );
        expect(enabled.rows).toEqual([{ tgenabled: "O" }]);
      });
    },
  );

  it("keeps the migration record and the schema itself out of the service's reach", async () => {
    for (const schema of Object.values(schemas)) {
      await asApp(schema, async (client) => {
        expect((await client.query("SELECT count(*)::int AS n FROM schema_migrations")).rows[0].n).toBeGreaterThan(0);
        await expect(client.query("DELETE FROM schema_migrations")).rejects.toThrow(/permission denied/);
        await expect(client.query("INSERT INTO schema_migrations (version) VALUES ('x')")).rejects.toThrow(
          /permission denied/,
        );
        await expect(client.query("CREATE TABLE intruder (id int)")).rejects.toThrow(/permission denied/);
        await expect(client.query(`DROP SCHEMA ${q(schema)} CASCADE`)).rejects.toThrow(/must be owner/);
      });
    }
  });

  const appointmentsMigrations = fileURLToPath(
    new URL("../../apps/appointments-service/src/migrations", import.meta.url),
  );
  const migrateAs = async (url: string, schema: string) => {
    const database = await openDatabase({ service: "appointments-service", url, ownerUrl: urlFor(ownerRole), schema });
    try {
      return await migrate(database, appointmentsMigrations, undefined, { appendOnly: ["appointment_audit"] });
    } finally {
      await database.close();
    }
  };

  it("grants again on a restart without applying anything twice", async () => {
    expect(await migrateAs(urlFor(appRole), schemas.appointments)).toEqual([]);
    await asApp(schemas.appointments, async (client) => {
      await expect(client.query("UPDATE appointment_audit SET clinic_id = 'y'")).rejects.toThrow(/permission denied/);
      expect((await client.query("SELECT count(*)::int AS n FROM appointments")).rows[0].n).toBeGreaterThan(0);
    });
  });

  it("refuses to start when the service's role owns a table, or is a superuser", async () => {
    // A database first run with one role: its tables belong to that role until handed over.
    await asSuperuser([
      `CREATE SCHEMA ${q(legacySchema)} AUTHORIZATION ${q(ownerRole)}`,
      `CREATE TABLE ${q(legacySchema)}.appointments (id text PRIMARY KEY)`,
      `ALTER TABLE ${q(legacySchema)}.appointments OWNER TO ${q(appRole)}`,
    ]);
    await expect(migrateAs(urlFor(appRole), legacySchema)).rejects.toThrow(/owns appointments.*REASSIGN OWNED/);
    await expect(migrateAs(databaseUrl as string, legacySchema)).rejects.toThrow(/superuser/);
  });
});

import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, busTopology, databaseUrl } from "../support/bus.ts";
import { bookNow, endSession, giveConsent, startSession } from "../support/flows.ts";
import { call } from "../support/http.ts";
import type { Person } from "../support/people.ts";
import { type System, startSystem } from "../support/system.ts";

/**
 * Every read and change of session data is in the video service's audit_log (allowed and
 * denied alike), and neither audit table can be altered through the service's own database
 * connection: UPDATE, DELETE and TRUNCATE are refused by triggers.
 */
describe(`audit trail (${backend})`, () => {
  const topology = busTopology("audit");
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ bus: await topology.connect() });
  });
  afterAll(async () => {
    await system?.close();
    await topology.cleanup();
  });

  it("records every read and change, allowed or denied, and refuses to alter a row", async () => {
    const doctor = await system.token("doctor");
    const appointment = await bookNow(system);
    const started = await startSession(system.urls.video, doctor, appointment.id);
    const sessionId = started.body.session_id;
    const base = system.urls.video;
    // The doctor may not answer for the patient; the patient's own answer is recorded with its decision.
    await call(base, "POST", `/api/video/sessions/${sessionId}/consent`, {
      token: doctor,
      body: { decision: "GIVEN", text_version: 0 },
    });
    await giveConsent(base, await system.token("patient"), sessionId);
    await call(base, "POST", `/api/video/sessions/${sessionId}/join`, {
      token: await system.token("patient"),
      body: {},
    });
    await call(base, "GET", `/api/video/sessions/${sessionId}`, { token: await system.token("otherDoctor") });
    await call(base, "GET", `/api/video/sessions/${sessionId}`, { token: await system.token("admin") });
    await endSession(base, doctor, sessionId, { notes: "audited" });
    await call(base, "PUT", `/api/video/sessions/${sessionId}/notes`, { token: doctor, body: { quality_rating: 5 } });

    const db = system.apps.video?.video.database.db;
    if (!db) throw new Error("video app not started");
    // The start's row names the session only when appointment.booked had already created it
    // (under load the start can come first): it is matched by its appointment.
    const thisConsultation = db
      .selectFrom("audit_log")
      .where((eb) => eb.or([eb("session_id", "=", sessionId), eb("appointment_id", "=", appointment.id)]));
    const rows = await thisConsultation.select(["actor_id", "action", "outcome", "session_id"]).orderBy("id").execute();
    const seen = rows.map((r) => `${r.actor_id} ${r.action} ${r.outcome}`);
    expect(seen).toEqual([
      "doc-ada session.start ALLOWED",
      "doc-ada session.recordConsent DENIED",
      "pat-zed session.recordConsent ALLOWED",
      "pat-zed consent.given ALLOWED",
      "pat-zed session.join ALLOWED",
      "doc-bob session.read DENIED",
      "adm-1 session.read ALLOWED",
      "doc-ada session.end ALLOWED",
      "doc-ada session.updateNotes ALLOWED",
    ]);

    // Through the service's own connection (its role, its pool): every alteration refused.
    for (const statement of [
      sql`UPDATE audit_log SET outcome = 'ALLOWED' WHERE session_id = ${sessionId}`,
      sql`DELETE FROM audit_log WHERE session_id = ${sessionId}`,
      sql`TRUNCATE audit_log`,
    ]) {
      await expect(statement.execute(db)).rejects.toThrow(/append-only/);
    }
    expect(await thisConsultation.select("id").execute()).toHaveLength(rows.length);
  });

  it("records every appointment read and change, allowed or denied, with the caller's clinic and request id", async () => {
    const appointment = await bookNow(system, "otherDoctor", "otherPatient");
    const base = system.urls.appointments;
    const path = `/api/appointments/${appointment.id}`;
    const asked: [Person, "GET" | "POST", string, number][] = [
      ["patient", "GET", path, 403],
      ["doctor", "POST", `${path}/cancel`, 403],
      // Another clinic's appointment is answered as an unknown one.
      ["otherClinicDoctor", "GET", path, 404],
      ["otherPatient", "GET", path, 200],
      ["otherDoctor", "POST", `${path}/cancel`, 200],
    ];
    const requestIds: string[] = [];
    for (const [person, method, url, status] of asked) {
      const reply = await call(base, method, url, { token: await system.token(person) });
      expect(reply.status, `${person} ${method} ${url}`).toBe(status);
      requestIds.push(reply.headers.get("x-request-id") ?? "");
    }
    const rows = await system.apps.appointments.appointments.database.db
      .selectFrom("appointment_audit")
      .select(["actor_id", "clinic_id", "action", "outcome", "reason", "request_id"])
      .where("appointment_id", "=", appointment.id)
      .orderBy("id")
      .execute();
    expect(rows.map((r) => `${r.actor_id}@${r.clinic_id} ${r.action} ${r.outcome} ${r.reason ?? "-"}`)).toEqual([
      "doc-bob@clinic-1 BOOK ALLOWED -",
      "pat-zed@clinic-1 READ DENIED NOT_THEIRS",
      "doc-ada@clinic-1 CANCEL DENIED NOT_THEIRS",
      "doc-ada@clinic-2 READ DENIED OTHER_CLINIC",
      "pat-yve@clinic-1 READ ALLOWED -",
      "doc-bob@clinic-1 CANCEL ALLOWED -",
    ]);
    expect(rows.slice(1).map((r) => r.request_id)).toEqual(requestIds);
  });

  it.skipIf(!databaseUrl)("appointment_audit refuses UPDATE, DELETE and TRUNCATE too (PostgreSQL)", async () => {
    // An in-memory PGlite of the appointments service cannot be reached from the test; on
    // PostgreSQL the same role and schema the service uses.
    await bookNow(system, "otherDoctor");
    const schema = system.databases.appointments.options.schema as string;
    const client = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT count(*)::int AS n FROM appointment_audit");
      expect(rows[0].n).toBeGreaterThan(0);
      for (const statement of [
        "UPDATE appointment_audit SET actor_id = 'x'",
        "DELETE FROM appointment_audit",
        "TRUNCATE appointment_audit",
      ]) {
        await expect(client.query(statement)).rejects.toThrow(/append-only/);
      }
    } finally {
      await client.end();
    }
  });
});

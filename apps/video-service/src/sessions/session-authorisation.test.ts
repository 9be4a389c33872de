import type { AuthUser } from "@clinic/platform";
import { createTestTokens } from "@clinic/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

type Caller = "none" | "badSignature" | "expired" | keyof typeof users;
interface Case {
  endpoint: string;
  caller: Caller;
  status: number;
}

/**
 * Authorisation (the README's table) for every endpoint: 401 without a valid token, 403 for the wrong person,
 * and what each role may do. Fixtures: session S (the doctor with the patient, IN_PROGRESS) and
 * a completed one C for notes.
 */
const matrix: Case[] = [
  ...(["list", "start", "join", "get", "end", "notes", "usage"] as const).flatMap((endpoint) =>
    (["none", "badSignature", "expired"] as const).map((caller) => ({ endpoint, caller, status: 401 })),
  ),
  { endpoint: "list", caller: "doctor", status: 200 },
  { endpoint: "list", caller: "otherDoctor", status: 200 },
  { endpoint: "list", caller: "patient", status: 403 },
  { endpoint: "list", caller: "admin", status: 200 },
  { endpoint: "start", caller: "otherDoctor", status: 403 },
  { endpoint: "start", caller: "patient", status: 403 },
  { endpoint: "start", caller: "otherPatient", status: 403 },
  { endpoint: "start", caller: "admin", status: 403 },
  { endpoint: "join", caller: "otherDoctor", status: 403 },
  { endpoint: "join", caller: "otherPatient", status: 403 },
  { endpoint: "join", caller: "admin", status: 403 },
  { endpoint: "join", caller: "patient", status: 200 },
  { endpoint: "join", caller: "doctor", status: 200 },
  { endpoint: "get", caller: "doctor", status: 200 },
  { endpoint: "get", caller: "patient", status: 200 },
  { endpoint: "get", caller: "otherDoctor", status: 403 },
  { endpoint: "get", caller: "otherPatient", status: 403 },
  { endpoint: "get", caller: "admin", status: 200 },
  { endpoint: "get", caller: "foreignAdmin", status: 403 },
  { endpoint: "end", caller: "otherDoctor", status: 403 },
  { endpoint: "end", caller: "patient", status: 403 },
  { endpoint: "end", caller: "otherPatient", status: 403 },
  { endpoint: "end", caller: "admin", status: 403 },
  { endpoint: "notes", caller: "otherDoctor", status: 403 },
  { endpoint: "notes", caller: "patient", status: 403 },
  { endpoint: "notes", caller: "otherPatient", status: 403 },
  { endpoint: "notes", caller: "admin", status: 403 },
  { endpoint: "notes", caller: "doctor", status: 200 },
  { endpoint: "usage", caller: "doctor", status: 200 },
  { endpoint: "usage", caller: "otherDoctor", status: 200 },
  { endpoint: "usage", caller: "patient", status: 403 },
  { endpoint: "usage", caller: "admin", status: 200 },
];

describe("authorisation matrix", () => {
  let h: Harness;
  let sessionId: string;
  let completedId: string;
  let appointmentId: string;
  let foreignTokens: Awaited<ReturnType<typeof createTestTokens>>;

  beforeAll(async () => {
    h = await createHarness();
    foreignTokens = await createTestTokens();
    const started = await h.startedSession();
    sessionId = started.body.session_id;
    await h.consent(sessionId);
    appointmentId = h.addAppointment().id;
    const done = await h.startedSession();
    completedId = done.body.session_id;
    await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${completedId}/end`,
      headers: await h.auth(users.doctor),
      payload: {},
    });
  });
  afterAll(async () => {
    await h.close();
  });

  async function headers(caller: Caller): Promise<Record<string, string>> {
    if (caller === "none") return {};
    if (caller === "badSignature") return { authorization: `Bearer ${await foreignTokens.sign(users.doctor)}` };
    if (caller === "expired") {
      const past = Math.floor(Date.now() / 1000) - 3600;
      return { authorization: `Bearer ${await h.tokens.sign(users.doctor, { iat: past - 900, exp: past })}` };
    }
    return h.auth(users[caller] as AuthUser);
  }

  function request(endpoint: string) {
    switch (endpoint) {
      case "list":
        return { method: "GET" as const, url: "/api/video/sessions" };
      case "start":
        return {
          method: "POST" as const,
          url: `/api/video/sessions/${appointmentId}/start`,
          payload: { booking_type: "CLINIC_BASED" },
        };
      case "join":
        return { method: "POST" as const, url: `/api/video/sessions/${sessionId}/join`, payload: {} };
      case "get":
        return { method: "GET" as const, url: `/api/video/sessions/${sessionId}` };
      case "end":
        return { method: "POST" as const, url: `/api/video/sessions/${sessionId}/end`, payload: {} };
      case "notes":
        return {
          method: "PUT" as const,
          url: `/api/video/sessions/${completedId}/notes`,
          payload: { quality_rating: 3 },
        };
      default:
        return { method: "GET" as const, url: "/api/video/metrics/usage" };
    }
  }

  it.each(matrix)("$endpoint as $caller → $status", async ({ endpoint, caller, status }) => {
    const response = await h.app.inject({ ...request(endpoint), headers: await headers(caller) });
    expect(response.statusCode).toBe(status);
    if (status >= 400) {
      expect(response.json()).toMatchObject({ status, code: expect.any(String), error: expect.any(String) });
    }
    if (status === 401 && caller === "expired") expect(response.json().code).toBe("TOKEN_EXPIRED");
  });

  it("never shows notes or ratings to the patient or an admin", async () => {
    for (const user of [users.patient, users.admin]) {
      const response = await h.app.inject({ url: `/api/video/sessions/${completedId}`, headers: await h.auth(user) });
      expect(response.statusCode).toBe(200);
      expect(Object.keys(response.json())).not.toContain("notes");
      expect(Object.keys(response.json())).not.toContain("quality_rating");
    }
  });

  it("a doctor's list holds only their own sessions", async () => {
    const other = await h.app.inject({ url: "/api/video/sessions", headers: await h.auth(users.otherDoctor) });
    expect(other.json().sessions.every((s: { doctor_id: string }) => s.doctor_id === users.otherDoctor.id)).toBe(true);
  });

  it("writes every decision to the append-only audit log, refusals included", async () => {
    const db = h.app.video.database.db;
    const rows = await db.selectFrom("audit_log").selectAll().where("session_id", "=", sessionId).execute();
    expect(
      rows.some((r) => r.actor_id === users.otherDoctor.id && r.action === "session.read" && r.outcome === "DENIED"),
    ).toBe(true);
    expect(
      rows.some((r) => r.actor_id === users.patient.id && r.action === "session.join" && r.outcome === "ALLOWED"),
    ).toBe(true);
    expect(rows.every((r) => r.request_id && r.actor_role && r.at)).toBe(true);
    await expect(db.updateTable("audit_log").set({ outcome: "ALLOWED" }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom("audit_log").execute()).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_log`.execute(db)).rejects.toThrow(/append-only/);
  });
});

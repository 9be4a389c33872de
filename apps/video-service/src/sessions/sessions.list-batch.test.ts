import type { AuthUser } from "@clinic/platform";
import { testPeople } from "@clinic/platform/testing";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../testing/video-test-harness.ts";

/**
 * GET /sessions' first pages of concurrent requests are read by one statement per filter shape,
 * sort and limit (sessions.repository.ts `batchedFirstPage`): every request must still get
 * exactly its own rows, in its own order, and its own total, as when it runs alone.
 */
const doctor = (id: string, clinic: string): AuthUser => ({
  id,
  role: "DOCTOR",
  clinic_id: clinic,
  name: `Dr. ${id}`,
  email: `${id}@${clinic}.test`,
});
const admin1 = testPeople.admin; // clinic-1
const admin2 = testPeople.otherClinicAdmin; // clinic-2
// The same doctor id in two clinics (ids are unique within a clinic only), an empty doctor, and doctors of both clinics.
const doctors: AuthUser[] = [
  doctor("bd-1", "clinic-1"),
  doctor("bd-1", "clinic-2"),
  doctor("bd-2", "clinic-1"),
  doctor("bd-3", "clinic-2"),
  doctor("bd-4", "clinic-1"),
  doctor("bd-empty", "clinic-1"),
];
const actors: AuthUser[] = [...doctors, admin1, admin2];
// Sessions per (doctor, clinic): statuses rotate, created_at ties every third row (the session id breaks them).
const seeded: [string, string, number][] = [
  ["bd-1", "clinic-1", 45],
  ["bd-1", "clinic-2", 12],
  ["bd-2", "clinic-1", 7],
  ["bd-3", "clinic-2", 30],
  ["bd-4", "clinic-1", 23],
];

/** A bearer header per (clinic, user): the harness's token cache is keyed by the user id alone. */
function bearer(h: Harness) {
  const signed = new Map<string, Promise<string>>();
  return async (user: AuthUser) => {
    const key = `${user.clinic_id}/${user.id}`;
    let token = signed.get(key);
    if (token === undefined) {
      token = h.tokens.sign(user);
      signed.set(key, token);
    }
    return { authorization: `Bearer ${await token}` };
  };
}

type Page = { total: number; limit: number; offset: number; sessions: Record<string, unknown>[] };

async function seed(h: Harness) {
  for (const [doctorId, clinicId, n] of seeded) {
    await sql`
      INSERT INTO sessions (session_id, appointment_id, clinic_id, doctor_id, patient_id, patient_name,
        scheduled_start, scheduled_duration_minutes, status, start_time, end_time, meeting_id, created_at, updated_at)
      SELECT ${`${clinicId}-${doctorId}-`} || lpad(g::text, 3, '0'), ${`a-${clinicId}-${doctorId}-`} || g, ${clinicId},
        ${doctorId}, 'pat-' || g, 'Patient ' || g,
        timestamptz '2026-06-01 00:00:00+00' + ((g * 37) % 50) * interval '1 hour', 30,
        (ARRAY['CREATED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED'])[1 + g % 4],
        CASE WHEN g % 4 IN (1, 2) THEN timestamptz '2026-05-01 00:00:00+00' + ((g * 11) % 40) * interval '1 hour' END,
        CASE WHEN g % 4 = 2 THEN timestamptz '2026-05-01 00:00:00+00' + ((g * 11) % 40) * interval '1 hour' + interval '20 minutes' END,
        CASE WHEN g % 4 IN (1, 2) THEN 'meeting-' || g END,
        timestamptz '2026-01-01 00:00:00+00' + (g / 3) * interval '1 minute', timestamptz '2026-01-02 00:00:00+00'
      FROM generate_series(1, ${n}) g
    `.execute(h.app.video.database.db);
  }
}

/** The request lines of many shapes: doctors and admins, each status or none, both sorts, two limits. */
function requests(): { actor: AuthUser; query: string }[] {
  const out: { actor: AuthUser; query: string }[] = [];
  for (const actor of actors) {
    for (const status of ["", "&status=CREATED", "&status=COMPLETED", "&status=IN_PROGRESS"]) {
      for (const sort of ["created_at", "start_time"]) {
        out.push({ actor, query: `limit=20&sort=${sort}${status}` });
      }
    }
    out.push({ actor, query: "limit=3" });
    out.push({ actor, query: "limit=3&offset=3" });
    out.push({ actor, query: "limit=20&offset=40" });
  }
  return out;
}

/** What the page must be, straight from the table (its own ORDER BY and count). */
async function expected(h: Harness, actor: AuthUser, query: string): Promise<{ total: number; ids: string[] }> {
  const q = new URLSearchParams(query);
  const status = q.get("status");
  const limit = Number(q.get("limit"));
  const offset = Number(q.get("offset") ?? 0);
  const order = q.get("sort") === "start_time" ? sql`coalesce(start_time, scheduled_start) DESC` : sql`created_at DESC`;
  const where = sql`clinic_id = ${actor.clinic_id}
    AND (${actor.role !== "DOCTOR"} OR doctor_id = ${actor.id}) AND (${status === null} OR status = ${status ?? ""})`;
  const db = h.app.video.database.db;
  const ids = await sql<{ session_id: string }>`
    SELECT session_id FROM sessions WHERE ${where} ORDER BY ${order}, session_id LIMIT ${limit} OFFSET ${offset}
  `.execute(db);
  const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sessions WHERE ${where}`.execute(db);
  return { total: Number(count.rows[0]?.n), ids: ids.rows.map((r) => r.session_id) };
}

describe("GET /sessions, concurrent first pages read together", () => {
  let h: Harness;
  let auth: ReturnType<typeof bearer>;
  beforeAll(async () => {
    h = await createHarness();
    auth = bearer(h);
    await seed(h);
  });
  afterAll(() => h?.close());

  const get = async (actor: AuthUser, query: string) =>
    h.app.inject({ url: `/api/video/sessions?${query}`, headers: await auth(actor) });

  it("gives every concurrent request exactly its own rows and total, as when it runs alone", async () => {
    const all = requests();
    // Alone: one request at a time (a batch of one, the single statement), checked against the table.
    const alone = new Map<string, Page>();
    for (const { actor, query } of all) {
      const response = await get(actor, query);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as Page;
      const want = await expected(h, actor, query);
      expect(
        { total: page.total, ids: page.sessions.map((s) => s.session_id) },
        `${actor.clinic_id}/${actor.id} ${query}`,
      ).toEqual(want);
      for (const s of page.sessions) {
        expect(s.clinic_id).toBe(actor.clinic_id);
        if (actor.role === "DOCTOR") expect(s.doctor_id).toBe(actor.id);
      }
      alone.set(`${actor.clinic_id}/${actor.id}?${query}`, page);
    }
    expect(alone.get("clinic-1/bd-empty?limit=20&sort=created_at")).toMatchObject({ total: 0, sessions: [] });
    // Together, in three orders (each request at another place of its batch), twice over.
    for (let round = 0; round < 3; round++) {
      const order = [...all, ...all].map((r, i) => ({ r, key: (i * (7 + 4 * round)) % (2 * all.length) }));
      order.sort((a, b) => a.key - b.key);
      const responses = await Promise.all(order.map(({ r }) => get(r.actor, r.query)));
      responses.forEach((response, i) => {
        const { actor, query } = order[i]!.r;
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json(), `${actor.clinic_id}/${actor.id} ${query}`).toEqual(
          alone.get(`${actor.clinic_id}/${actor.id}?${query}`),
        );
      });
    }
  });
});

/**
 * A batch is one statement: while it waits, no other read of its shape is sent (the requests
 * arriving meanwhile wait for the next batch), and when it fails every request in it fails as
 * its own statement would have (a cancelled statement: 503), the service answering again after.
 */
describe.skipIf(!process.env.DATABASE_URL)("GET /sessions' read batch on PostgreSQL", () => {
  let h: Harness;
  let locker: pg.Client;
  let auth: ReturnType<typeof bearer>;
  beforeAll(async () => {
    h = await createHarness();
    auth = bearer(h);
    await seed(h);
    locker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await locker.connect();
    await locker.query(
      `SET search_path TO ${h.database.options.schema ? pg.escapeIdentifier(h.database.options.schema) : "public"}`,
    );
  });
  afterAll(async () => {
    await locker?.end();
    await h?.close();
  });

  const get = async (actor: AuthUser) =>
    h.app.inject({ url: "/api/video/sessions?limit=20", headers: await auth(actor) });

  /** The list reads waiting behind the lock `locker` holds on the counter rows. */
  const blocked = async () =>
    (
      await locker.query<{ pid: number; query: string }>(
        "SELECT pid, query FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
        [(locker as unknown as { processID: number }).processID],
      )
    ).rows;

  it("has one statement in flight, and fails every request of a failed batch cleanly", async () => {
    // Warm: every token verified once, every page right.
    for (const d of doctors) expect((await get(d)).statusCode).toBe(200);
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE session_counts IN ACCESS EXCLUSIVE MODE");
    const answers = doctors.map((d) => get(d));
    let settled = 0;
    for (const a of answers) void a.finally(() => settled++);
    let cancelled = 0;
    while (settled < answers.length) {
      const waiting = await blocked();
      expect(waiting.length, waiting.map((w) => w.query).join("\n")).toBeLessThanOrEqual(1);
      for (const w of waiting) {
        await locker.query("SELECT pg_cancel_backend($1)", [w.pid]);
        cancelled++;
      }
      await new Promise((r) => setImmediate(r));
    }
    await locker.query("ROLLBACK");
    // Fewer statements than requests: at least one batch carried several.
    expect(cancelled).toBeLessThan(doctors.length);
    for (const response of await Promise.all(answers)) {
      expect(response.statusCode, response.body).toBe(503);
      expect(response.json()).toMatchObject({ code: "DATABASE_UNAVAILABLE" });
    }
    // And then every request is answered again, each its own page.
    const again = await Promise.all(doctors.map((d) => get(d)));
    again.forEach((response, i) => {
      expect(response.statusCode, response.body).toBe(200);
      const d = doctors[i]!;
      const n = seeded.find(([id, clinic]) => id === d.id && clinic === d.clinic_id)?.[2] ?? 0;
      expect(response.json()).toMatchObject({ total: n });
      for (const s of response.json().sessions) expect(s).toMatchObject({ doctor_id: d.id, clinic_id: d.clinic_id });
    });
  });
});

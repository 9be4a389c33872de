import type { AuthUser } from "@clinic/platform";
import { withTransaction } from "@clinic/platform";
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadVideoConfig } from "../config.ts";
import { closeOpenIntervals, openInterval } from "../sessions/attendees.repository.ts";
import { SessionAccess } from "../sessions/session-access.ts";
import type { Executor, VideoDb } from "../tables.ts";
import { createHarness, type Harness } from "../testing/video-test-harness.ts";
import { intervalsForMonth } from "./usage.repository.ts";
import { getUsage } from "./usage.service.ts";
import { type MonthBounds, monthBounds, monthOf, summarize, toMinutes } from "./usage-calculator.ts";
import { ensureRollupZone } from "./usage-rollups.repository.ts";

/**
 * The usage rollups against the intervals they summarise: random joins, leaves, reconnects,
 * replacements and ends, around month and day boundaries (daylight saving changes included),
 * read in several clinic time zones; every figure must equal a direct computation from the
 * intervals, to the millisecond. PGlite, or PostgreSQL when DATABASE_URL is set.
 */

const zones = ["UTC", "Europe/Berlin", "America/New_York"] as const;
const day = 86_400_000;
/** Instants around which a scenario happens: month starts in the zones, and DST changes. */
const anchors = [
  "2026-03-01T00:00:00Z", // a UTC month start; 23:00 UTC the day before is Berlin's
  "2026-02-28T23:00:00Z", // Berlin's March
  "2026-03-01T05:00:00Z", // New York's March
  "2026-03-29T01:00:00Z", // Berlin springs forward (a 23-hour day)
  "2026-10-31T23:00:00Z", // Berlin's November, a day after it falls back
  "2026-11-01T06:00:00Z", // New York falls back (a 25-hour day)
].map((a) => Date.parse(a));

type Event = { kind: "join" | "leave" | "rejoin"; person: number; at: number };
interface SessionPlan {
  doctor: "a" | "b";
  events: Event[];
  endAt: number | null;
  /** Start slot (sessions in one slot share their start time: the page order's tie-break). */
  slot?: number;
}

const eventArb = fc.record({
  kind: fc.constantFrom("join" as const, "leave" as const, "rejoin" as const),
  person: fc.integer({ min: 0, max: 2 }),
  // Within two days either side of the anchor, to the millisecond.
  at: fc.integer({ min: -2 * day, max: 2 * day }),
});
const planArb = fc.record({
  anchor: fc.constantFrom(...anchors),
  sessions: fc.array(
    fc.record({
      doctor: fc.constantFrom("a" as const, "b" as const),
      events: fc.array(eventArb, { maxLength: 10 }),
      endAt: fc.option(fc.integer({ min: -2 * day, max: 2 * day }), { nil: null }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

let run = 0;

/** Creates the plan's sessions and drives their intervals through the service's own open/close functions. */
async function play(db: VideoDb, plan: { anchor: number; sessions: SessionPlan[] }) {
  const clinicId = `clinic-roll-${++run}-${Date.now()}`;
  const sessionIds: string[] = [];
  for (const [index, s] of plan.sessions.entries()) {
    const sessionId = `sess-${crypto.randomUUID()}`;
    sessionIds.push(sessionId);
    const start = new Date(plan.anchor - 3 * day + (s.slot ?? index) * 1000);
    await db
      .insertInto("sessions")
      .values({
        session_id: sessionId,
        appointment_id: `appt-${crypto.randomUUID()}`,
        clinic_id: clinicId,
        doctor_id: `doc-${s.doctor}-${clinicId}`,
        patient_id: `pat-${index}`,
        patient_name: "Pat Ient",
        scheduled_start: start,
        scheduled_duration_minutes: 30,
        status: "IN_PROGRESS",
        start_time: start,
        end_time: null,
        end_reason: null,
        media_provider: "embedded",
        meeting_id: `meeting-${sessionId}`,
        meeting_media_urls: null,
        meeting_provider_data: null,
        notes: null,
        quality_rating: null,
        last_activity_at: start,
        start_token: null,
        start_reserved_at: null,
        auto_admit: false,
        created_at: start,
        updated_at: start,
      })
      .execute();
    const attendeeOf = new Map<number, string>();
    const open = new Set<number>();
    const newAttendee = async (ex: Executor, person: number, at: Date) => {
      const attendeeId = `attendee-${crypto.randomUUID()}`;
      await ex
        .insertInto("attendees")
        .values({
          attendee_id: attendeeId,
          session_id: sessionId,
          user_id: `user-${person}`,
          user_type: person === 0 ? "DOCTOR" : "PATIENT",
          name: "x",
          status: "LEFT",
          device_info: null,
          browser_info: null,
          provider_data: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      attendeeOf.set(person, attendeeId);
      return attendeeId;
    };
    const end = s.endAt === null ? Number.POSITIVE_INFINITY : plan.anchor + s.endAt;
    for (const e of [...s.events].sort((x, y) => x.at - y.at)) {
      const at = new Date(plan.anchor + e.at);
      if (at.getTime() >= end) break;
      await withTransaction(db, async (trx) => {
        const current = attendeeOf.get(e.person);
        if (e.kind === "leave") {
          // A leave (or a leave of someone not connected: closes nothing).
          if (current) await closeOpenIntervals(trx, { attendee_id: current }, at);
          open.delete(e.person);
          return;
        }
        let attendeeId = current;
        if (e.kind === "rejoin" || !attendeeId) {
          // A new join replaces the person's previous attendee (its open interval closes).
          if (current) await closeOpenIntervals(trx, { attendee_id: current }, at);
          attendeeId = await newAttendee(trx, e.person, at);
        } else {
          // A reconnect with the same attendee: the old connection's interval ends.
          await closeOpenIntervals(trx, { attendee_id: attendeeId }, at);
        }
        await openInterval(trx, {
          attendee_id: attendeeId,
          session_id: sessionId,
          clinic_id: clinicId,
          user_id: `user-${e.person}`,
          joined_at: at,
        });
        open.add(e.person);
      });
    }
    if (s.endAt !== null) {
      await withTransaction(db, (trx) => closeOpenIntervals(trx, { session_id: sessionId }, new Date(end)));
    }
  }
  return { clinicId, sessionIds, doctorIds: (["a", "b"] as const).map((d) => `doc-${d}-${clinicId}`) };
}

/**
 * The month's figures straight from the intervals, in whole milliseconds: each interval
 * clipped to each local day of `bounds` (open ones up to `now`). Independent of the rollups'
 * day splitting.
 */
async function direct(db: VideoDb, clinicId: string, doctorId: string | undefined, bounds: MonthBounds, now: Date) {
  const intervals = await db
    .selectFrom("attendance_intervals as i")
    .innerJoin("sessions as s", "s.session_id", "i.session_id")
    .select(["i.session_id", "i.user_id", "i.joined_at", "i.left_at", "s.doctor_id"])
    .where("i.clinic_id", "=", clinicId)
    .execute();
  const starts = bounds.days.map((d) => d.getTime());
  const ends = [...starts.slice(1), bounds.end.getTime()];
  const daily = starts.map(() => 0);
  const sessions = new Map<string, { ms: number; people: Set<string> }>();
  for (const i of intervals) {
    if (doctorId !== undefined && i.doctor_id !== doctorId) continue;
    const from = new Date(i.joined_at).getTime();
    const to = (i.left_at ? new Date(i.left_at) : now).getTime();
    let ms = 0;
    starts.forEach((start, d) => {
      const part = Math.max(0, Math.min(to, ends[d] ?? 0) - Math.max(from, start));
      daily[d] = (daily[d] ?? 0) + part;
      ms += part;
    });
    if (ms <= 0) continue;
    const entry = sessions.get(i.session_id) ?? { ms: 0, people: new Set() };
    entry.ms += ms;
    entry.people.add(i.user_id);
    sessions.set(i.session_id, entry);
  }
  return { daily, total: daily.reduce((a, b) => a + b, 0), sessions };
}

const admin = (clinicId: string): AuthUser => ({
  id: `adm-${clinicId}`,
  role: "ADMIN",
  clinic_id: clinicId,
  name: "Ad Min",
  email: "a@x.test",
});
const doctor = (clinicId: string, id: string): AuthUser => ({
  id,
  role: "DOCTOR",
  clinic_id: clinicId,
  name: "Dr",
  email: "d@x.test",
});

describe("usage rollups equal the interval sums", () => {
  let h: Harness;
  let db: VideoDb;
  beforeAll(async () => {
    h = await createHarness();
    db = h.app.video.database.db as VideoDb;
    // Registered before any interval closes: kept up to date by every close from now on.
    for (const zone of zones) await ensureRollupZone(db, zone);
  });
  afterAll(async () => {
    await h.close();
  });

  const usageIn = (zone: string, now: Date) => ({
    db,
    access: new SessionAccess(db),
    config: loadVideoConfig({ LOG_LEVEL: "silent", CLINIC_TIME_ZONE: zone, FREE_TIER_MINUTES: "1000" }),
    now: () => now,
  });

  it("for random joins, leaves, reconnects and ends across month and day boundaries, in UTC, Berlin and New York", async () => {
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        const { clinicId, doctorIds } = await play(db, plan);
        // Some intervals are still open: they count up to `now`, live.
        const now = new Date(plan.anchor + 2 * day + 3_600_000);
        for (const zone of zones) {
          const ctx = usageIn(zone, now);
          // The months the plan touches, and the one before (nothing in it).
          const months = new Set(
            [-35, -3, -2, -1, 0, 1, 2, 3].map((k) => monthOf(new Date(plan.anchor + k * day), zone)),
          );
          for (const month of months) {
            const bounds = monthBounds(month, zone);
            for (const [user, doctorId] of [
              [admin(clinicId), undefined],
              ...doctorIds.map((id) => [doctor(clinicId, id), id] as const),
            ] as const) {
              const expected = await direct(db, clinicId, doctorId, bounds, now);
              const body = await getUsage(ctx, { user, requestId: "t" }, month, { limit: 200, offset: 0 });
              expect(body.total_attendee_minutes).toBe(toMinutes(expected.total / 1000));
              expect(body.daily.map((d) => d.attendee_minutes)).toEqual(
                expected.daily.map((ms) => toMinutes(ms / 1000)),
              );
              expect(body.total_sessions).toBe(expected.sessions.size);
              expect(
                Object.fromEntries(body.sessions.map((s) => [s.session_id, [s.attendee_minutes, s.attendees]])),
              ).toEqual(
                Object.fromEntries(
                  [...expected.sessions].map(([id, s]) => [id, [toMinutes(s.ms / 1000), s.people.size]]),
                ),
              );
              if (doctorId === undefined) {
                // The old computation (every interval of the month summed) agrees too.
                const old = summarize(await intervalsForMonth(db, clinicId, bounds), bounds, now).total_seconds;
                expect(Math.abs(old - expected.total / 1000)).toBeLessThan(1e-6);
              }
            }
          }
          // Exact to the millisecond in the rollup tables themselves (closed intervals only).
          const closedRows = await db
            .selectFrom("usage_daily_rollups")
            .select(["day", "attendee_ms"])
            .where("zone", "=", zone)
            .where("clinic_id", "=", clinicId)
            .execute();
          const closedTotal = closedRows.reduce((sum, r) => sum + Number(r.attendee_ms), 0);
          const closed = await db
            .selectFrom("attendance_intervals")
            .select(["joined_at", "left_at"])
            .where("clinic_id", "=", clinicId)
            .where("left_at", "is not", null)
            .execute();
          // The clinic's all-doctors day rows (what an admin's `daily` reads) equal the per-doctor rows summed.
          // (Not in the typed tables: read by raw SQL, as the repository does.)
          const { rows: clinicRows } = await sql<{ day: string; attendee_ms: string }>`
            SELECT to_char(day, 'YYYY-MM-DD') AS day, attendee_ms FROM usage_clinic_daily_rollups
            WHERE zone = ${zone} AND clinic_id = ${clinicId}
          `.execute(db);
          const perDoctor = new Map<string, number>();
          for (const r of await db
            .selectFrom("usage_daily_rollups")
            .select([sql<string>`to_char(day, 'YYYY-MM-DD')`.as("day"), "attendee_ms"])
            .where("zone", "=", zone)
            .where("clinic_id", "=", clinicId)
            .execute()) {
            perDoctor.set(r.day, (perDoctor.get(r.day) ?? 0) + Number(r.attendee_ms));
          }
          expect(new Map(clinicRows.map((r) => [r.day, Number(r.attendee_ms)]))).toEqual(perDoctor);
          expect(closedTotal).toBe(
            closed.reduce(
              (sum, i) => sum + (new Date(i.left_at as Date).getTime() - new Date(i.joined_at).getTime()),
              0,
            ),
          );
        }
      }),
      { numRuns: Number(process.env.ROLLUP_RUNS ?? 8) },
    );
  }, 240_000);

  it("back-fills a zone registered after the intervals closed (the start-up path for a new CLINIC_TIME_ZONE)", async () => {
    const anchor = Date.parse("2026-04-01T00:00:00Z");
    const { clinicId } = await play(db, {
      anchor,
      sessions: [
        {
          doctor: "a",
          events: [
            { kind: "join", person: 0, at: -5 * 3_600_000 },
            { kind: "join", person: 1, at: -4 * 3_600_000 + 123 },
            { kind: "leave", person: 1, at: 3 * 3_600_000 + 7 },
          ],
          endAt: 6 * 3_600_000,
        },
      ],
    });
    // India (+05:30) and Lord Howe (half-hour daylight saving): days that begin off the hour.
    for (const zone of ["Asia/Kolkata", "Australia/Lord_Howe"]) {
      await ensureRollupZone(db, zone);
      const now = new Date(anchor + 3 * day);
      for (const month of ["2026-03", "2026-04"]) {
        const bounds = monthBounds(month, zone);
        const expected = await direct(db, clinicId, undefined, bounds, now);
        const body = await getUsage(usageIn(zone, now), { user: admin(clinicId), requestId: "t" }, month);
        expect(body.total_attendee_minutes).toBe(toMinutes(expected.total / 1000));
        expect(body.daily.map((d) => d.attendee_minutes)).toEqual(expected.daily.map((ms) => toMinutes(ms / 1000)));
      }
    }
  });
});

describe("the per-session list of GET /metrics/usage is paged", () => {
  let h: Harness;
  let db: VideoDb;
  beforeAll(async () => {
    h = await createHarness({ env: { FREE_TIER_MINUTES: "1" } });
    db = h.app.video.database.db as VideoDb;
  });
  afterAll(async () => {
    await h.close();
  });

  it("returns every session exactly once across pages, in one stable order, with the totals unchanged", async () => {
    const sessionArb = fc.record({
      doctor: fc.constant("a" as const),
      // Closed, open (live-only) and mixed sessions, so rollup rows and live ones interleave.
      events: fc.array(eventArb, { minLength: 1, maxLength: 4 }),
      endAt: fc.option(fc.integer({ min: 0, max: 2 * day }), { nil: null }),
      slot: fc.integer({ min: 0, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(sessionArb, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (sessions, limit) => {
          const anchor = Date.parse("2026-06-15T12:00:00Z");
          const { clinicId } = await play(db, { anchor, sessions });
          const now = new Date(anchor + 3 * day);
          const ctx = {
            db,
            access: new SessionAccess(db),
            config: loadVideoConfig({ LOG_LEVEL: "silent" }),
            now: () => now,
          };
          const read = (offset: number, pageLimit: number) =>
            getUsage(ctx, { user: admin(clinicId), requestId: "t" }, "2026-06", { limit: pageLimit, offset });
          const whole = await read(0, 200);
          const { sessions: all, limit: _l, offset: _o, ...totals } = whole;
          expect(all).toHaveLength(whole.total_sessions);
          const seen: string[] = [];
          for (let offset = 0; offset < whole.total_sessions + limit; offset += limit) {
            const page = await read(offset, limit);
            const { sessions: rows, limit: pl, offset: po, ...pageTotals } = page;
            expect(pageTotals).toEqual(totals);
            expect([pl, po]).toEqual([limit, offset]);
            expect(rows.length).toBe(Math.max(0, Math.min(limit, whole.total_sessions - offset)));
            seen.push(...rows.map((r) => r.session_id));
          }
          // Exactly once each, in the order of the one-page read (newest start first, then id).
          expect(seen).toEqual(all.map((r) => r.session_id));
          expect(new Set(seen).size).toBe(seen.length);
          const order = all.map((r) => [r.start_time ?? "", r.session_id] as const);
          expect(order).toEqual(
            [...order].sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? 1 : -1) : a[1] < b[1] ? -1 : 1)),
          );
        },
      ),
      { numRuns: Number(process.env.ROLLUP_RUNS ?? 8) },
    );
  }, 240_000);

  it.each([
    ["limit=0", "limit"],
    ["limit=201", "limit"],
    ["limit=abc", "limit"],
    ["limit=1.5", "limit"],
    ["offset=-1", "offset"],
    ["offset=abc", "offset"],
  ])("refuses %s with a 400 naming the parameter", async (query, name) => {
    const response = await h.app.inject({
      url: `/api/video/metrics/usage?${query}`,
      headers: await h.auth({ id: "adm-p", role: "ADMIN", clinic_id: "clinic-p", name: "A", email: "a@x.test" }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
    expect(response.json().error).toContain(name);
  });

  it("answers limit=200 and a page past the end (empty, totals kept)", async () => {
    const headers = await h.auth({ id: "adm-p", role: "ADMIN", clinic_id: "clinic-p", name: "A", email: "a@x.test" });
    const full = await h.app.inject({ url: "/api/video/metrics/usage?limit=200", headers });
    expect(full.statusCode).toBe(200);
    expect(full.json()).toMatchObject({ limit: 200, offset: 0 });
    const past = await h.app.inject({ url: "/api/video/metrics/usage?offset=1000", headers });
    expect(past.json()).toMatchObject({ limit: 50, offset: 1000, sessions: [] });
  });

  it("blocks a start from the month's rollup (USAGE_LIMIT_POLICY=block, 1 free minute)", async () => {
    const clinicId = "clinic-free-tier";
    const doctorUser: AuthUser = { id: "doc-ft", role: "DOCTOR", clinic_id: clinicId, name: "Dr", email: "d@x.test" };
    const appointment = () => h.addAppointment({ clinic_id: clinicId, doctor_id: doctorUser.id, patient_id: "pat-ft" });
    const month = h.clock.now.toISOString().slice(0, 7);
    // Only the rollup says so (no interval exists): exactly the free tier is not over it…
    await db
      .insertInto("usage_month_rollups")
      .values({ zone: "UTC", clinic_id: clinicId, month, doctor_id: doctorUser.id, attendee_ms: 60_000, sessions: 1 })
      .execute();
    expect((await h.start(appointment().id, doctorUser)).statusCode).toBe(200);
    // …one second more is.
    await db
      .updateTable("usage_month_rollups")
      .set({ attendee_ms: 61_000 })
      .where("clinic_id", "=", clinicId)
      .execute();
    const refused = await h.start(appointment().id, doctorUser);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: "FREE_TIER_EXCEEDED", free_tier_limit: 1 });
  });
});

import { testDatabase } from "@clinic/platform/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddedMediaProvider } from "../meetings/embedded/embedded-media-provider.ts";
import { createJoinTokens } from "../meetings/embedded/join-tokens.ts";
import type { MediaProvider, Meeting } from "../meetings/media-provider.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { startReservationTtlMs } from "./session-start.service.ts";

// Media-provider calls run outside any database transaction: a start reserves the session in a
// short transaction, calls the provider with no connection held, and records the result in a
// second one (README "Start and join: reservations").

/** Smaller than the number of starts below: the old code held one pool connection per provider call. */
const POOL_SIZE = 2;
const STARTS = 4;

type Held = "createMeeting" | "createAttendee";

/**
 * The real embedded provider, except that the chosen calls wait until the test opens the gate:
 * a media plane as slow as the test needs, without a timer.
 */
async function gatedProvider() {
  const inner = createEmbeddedMediaProvider({
    joinTokens: await createJoinTokens({ ttlSeconds: 600 }),
    iceServers: [],
  });
  const held = new Set<Held>();
  const entered: { op: Held; session_id: string }[] = [];
  /** Every createMeeting, held or not. */
  const meetingsCreated: string[] = [];
  const ended: string[] = [];
  let open: () => void = () => undefined;
  let gate = Promise.resolve();
  const wait = async (op: Held, sessionId: string) => {
    if (!held.has(op)) return;
    entered.push({ op, session_id: sessionId });
    await gate;
  };
  const provider: MediaProvider = {
    name: inner.name,
    iceServers: inner.iceServers,
    maxCallMs: inner.maxCallMs,
    async createMeeting(input) {
      meetingsCreated.push(input.session_id);
      await wait("createMeeting", input.session_id);
      return inner.createMeeting(input);
    },
    async createAttendee(meeting, input) {
      await wait("createAttendee", input.session_id);
      return inner.createAttendee(meeting, input);
    },
    deleteAttendee: (meeting, attendeeId) => inner.deleteAttendee(meeting, attendeeId),
    async endMeeting(meeting: Meeting) {
      ended.push(meeting.meeting_id);
      await inner.endMeeting(meeting);
    },
  };
  return {
    provider,
    entered,
    meetingsCreated,
    ended,
    /** From now on, `ops` wait for `release()`. */
    hold(...ops: Held[]) {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      for (const op of ops) held.add(op);
    },
    release() {
      held.clear();
      open();
    },
  };
}

/** Polls `done` every 10 ms, at most 1,000 times (10 s): the provider calls to have begun. */
async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describe("provider calls hold no database connection", () => {
  let h: Harness;
  let gated: Awaited<ReturnType<typeof gatedProvider>>;
  beforeAll(async () => {
    gated = await gatedProvider();
    const database = testDatabase("video-service");
    h = await createHarness({
      // PostgreSQL: a pool smaller than the number of concurrent starts. PGlite has one
      // connection whatever the size: a transaction held across the call blocks every query.
      database: { ...database, options: { ...database.options, poolSize: POOL_SIZE } },
      mediaProvider: gated.provider,
      startWaitMs: 500,
    });
  });
  afterEach(() => gated.release());
  afterAll(async () => {
    gated.release();
    await h.close();
  });

  const list = async () => h.app.inject({ url: "/api/video/sessions?limit=100", headers: await h.auth(users.doctor) });
  const sessionRow = (appointmentId: string) =>
    h.app.video.database.db
      .selectFrom("sessions")
      .selectAll()
      .where("appointment_id", "=", appointmentId)
      .executeTakeFirstOrThrow();

  it("a slow provider does not starve GET /sessions of connections", async () => {
    gated.hold("createMeeting");
    const appointments = Array.from({ length: STARTS }, () => h.addAppointment());
    const starts = appointments.map((a) => h.start(a.id));
    // Every start is inside the provider at once: more calls than pool connections.
    await until(`${STARTS} createMeeting calls`, () => gated.entered.length === STARTS);

    // While all of them wait on the provider, the list answers (the gate is still closed).
    const listed = await list();
    expect(listed.statusCode).toBe(200);
    const byAppointment = new Map(
      listed.json().sessions.map((s: { appointment_id: string; status: string }) => [s.appointment_id, s.status]),
    );
    for (const a of appointments) expect(byAppointment.get(a.id)).toBe("CREATED");

    gated.release();
    const responses = await Promise.all(starts);
    expect(responses.map((r) => r.statusCode)).toEqual(Array(STARTS).fill(200));
    for (const a of appointments) {
      const row = await sessionRow(a.id);
      expect(row).toMatchObject({ status: "IN_PROGRESS", start_token: null, start_reserved_at: null });
    }
  });

  it("a slow provider during joins does not starve the session's own reads", async () => {
    const { body } = await h.startedSession();
    await h.consent(body.session_id);
    gated.hold("createAttendee");
    const joins = [users.doctor, users.patient, users.doctor, users.patient].map(async (user) =>
      h.app.inject({
        method: "POST",
        url: `/api/video/sessions/${body.session_id}/join`,
        headers: await h.auth(user),
        payload: {},
      }),
    );
    await until("4 createAttendee calls", () => gated.entered.filter((e) => e.op === "createAttendee").length === 4);
    const read = await h.app.inject({
      url: `/api/video/sessions/${body.session_id}`,
      headers: await h.auth(users.doctor),
    });
    expect(read.statusCode).toBe(200);
    gated.release();
    const responses = await Promise.all(joins);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    // Still one live entry per person: the joins were recorded one after the other under the row lock.
    const live = await h.app.video.database.db
      .selectFrom("attendees")
      .select("user_type")
      .where("session_id", "=", body.session_id)
      .where("status", "in", ["JOINING", "CONNECTED"])
      .execute();
    expect(live.map((a) => a.user_type).sort()).toEqual(["DOCTOR", "PATIENT"]);
  });

  it("a second start while the first waits on the provider answers 409 SESSION_ALREADY_STARTED once it is done", async () => {
    gated.hold("createMeeting");
    const appointment = h.addAppointment();
    const before = gated.meetingsCreated.length;
    const first = h.start(appointment.id);
    await until("the first start's createMeeting", () => gated.meetingsCreated.length === before + 1);
    const second = h.start(appointment.id);
    gated.release();
    const [a, b] = await Promise.all([first, second]);
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(409);
    expect(b.json()).toMatchObject({ code: "SESSION_ALREADY_STARTED", session_id: a.json().session_id });
    expect(gated.meetingsCreated.length).toBe(before + 1);
  });

  it("a start that finds a live reservation waits, then answers 409 SESSION_STARTING (retryable)", async () => {
    const { appointment, sessionId } = await h.bookedSession();
    // Another replica is calling the provider for this session right now.
    await h.app.video.database.db
      .updateTable("sessions")
      .set({ start_token: "other-replica", start_reserved_at: h.clock.now })
      .where("session_id", "=", sessionId)
      .execute();
    const response = await h.start(appointment.id);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: "SESSION_STARTING", session_id: sessionId, retryable: true });
    expect((await sessionRow(appointment.id)).start_token).toBe("other-replica");
  });

  it("a reservation left by a crashed start expires after the reservation TTL: the next start takes over", async () => {
    const { appointment, sessionId } = await h.bookedSession();
    const age = startReservationTtlMs(gated.provider);
    await h.app.video.database.db
      .updateTable("sessions")
      .set({ start_token: "crashed-replica", start_reserved_at: new Date(h.clock.now.getTime() - age) })
      .where("session_id", "=", sessionId)
      .execute();
    const response = await h.start(appointment.id);
    expect(response.statusCode).toBe(200);
    expect(response.json().session_id).toBe(sessionId);
    expect(await sessionRow(appointment.id)).toMatchObject({ status: "IN_PROGRESS", start_token: null });
  });

  it("an appointment cancelled while the provider creates the meeting: 409 SESSION_CANCELLED, the meeting ended", async () => {
    gated.hold("createMeeting");
    const { appointment, sessionId } = await h.bookedSession();
    const endedBefore = gated.ended.length;
    const start = h.start(appointment.id);
    await until("createMeeting", () => gated.entered.some((e) => e.session_id === sessionId));
    // The cancellation is not held up by the start: no row lock is held during the call.
    await h.cancelAppointment(appointment.id);
    gated.release();
    const response = await start;
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: "SESSION_CANCELLED", session_id: sessionId });
    expect(await sessionRow(appointment.id)).toMatchObject({ status: "CANCELLED", meeting_id: null });
    expect(gated.ended).toHaveLength(endedBefore + 1);
  });
});

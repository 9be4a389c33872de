import { EventTypes } from "@clinic/contracts";
import { connectSignal, signalUrl } from "@clinic/video-service/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, busTopology } from "../support/bus.ts";
import { bookNow, giveConsent, type Started, startSession } from "../support/flows.ts";
import { call, type Reply } from "../support/http.ts";
import { type System, startSystem } from "../support/system.ts";

interface SessionView {
  status: string;
  chime_meeting_id: string | null;
  attendees: { attendee_id: string; user_type: string; status: string; leave_time: string | null }[];
  notes?: string | null;
}

/**
 * Many clients hit one session at once: starts, joins by both people, ends, notes and
 * signalling connections, all in flight together. Whatever the interleaving, every answer is
 * one the contract allows (never a 5xx), the session ends in a valid state with a single
 * meeting, one completion event, and nobody left connected.
 */
describe(`races on one session (${backend})`, () => {
  const topology = busTopology("races");
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ bus: await topology.connect() });
  });
  afterAll(async () => {
    await system?.close();
    await topology.cleanup();
  });

  it("20 concurrent starts give one session and one meeting; the others 409 with its id", async () => {
    const appointment = await bookNow(system);
    const doctor = await system.token("doctor");
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => startSession(system.urls.video, doctor, appointment.id)),
    );
    const ok = replies.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    const sessionId = ok[0]?.body.session_id;
    for (const r of replies.filter((x) => x.status !== 200)) {
      expect(r.status, r.text).toBe(409);
      expect(r.body).toMatchObject({ code: "SESSION_ALREADY_STARTED", session_id: sessionId });
    }
  });

  it("start, joins, ends, notes and signalling at once leave a COMPLETED session with one meeting", async () => {
    const appointment = await bookNow(system, "otherDoctor", "patient");
    const doctor = await system.token("otherDoctor");
    const patient = await system.token("patient");
    const started = await startSession(system.urls.video, doctor, appointment.id);
    expect(started.status, started.text).toBe(200);
    const { session_id: sessionId } = started.body as Started;
    const path = `/api/video/sessions/${sessionId}`;
    // The patient's joins race too, not only refused for want of consent.
    await giveConsent(system.urls.video, patient, sessionId);
    const sockets: ReturnType<typeof connectSignal>[] = [];

    const operations: Promise<[string, Reply]>[] = [];
    const add = (name: string, request: () => Promise<Reply>) => operations.push(request().then((r) => [name, r]));
    for (let i = 0; i < 40; i++) {
      switch (i % 8) {
        case 0:
          add("start", () => startSession(system.urls.video, doctor, appointment.id) as unknown as Promise<Reply>);
          break;
        case 1:
        case 2:
          add("join", () =>
            call(system.urls.video, "POST", `${path}/join`, { token: i % 2 ? patient : doctor, body: {} }).then((r) => {
              const token = (r.body as { attendee?: { join_token?: string } }).attendee?.join_token;
              if (r.status === 200 && token)
                sockets.push(connectSignal(signalUrl(system.urls.video, sessionId, token)));
              return r;
            }),
          );
          break;
        case 3:
          add("end", () =>
            call(system.urls.video, "POST", `${path}/end`, { token: doctor, body: { notes: `end ${i}` } }),
          );
          break;
        case 4:
          add("notes", () =>
            call(system.urls.video, "PUT", `${path}/notes`, {
              token: doctor,
              body: { notes: `notes ${i}`, quality_rating: 4 },
            }),
          );
          break;
        default:
          add("get", () => call(system.urls.video, "GET", path, { token: i % 2 ? patient : doctor }));
      }
    }
    const results = await Promise.all(operations);

    const allowed: Record<string, number[]> = {
      start: [409],
      join: [200, 409],
      end: [200, 409],
      notes: [200, 409],
      get: [200],
    };
    for (const [name, reply] of results) {
      expect(allowed[name], `${name} → ${reply.status} ${reply.text}`).toContain(reply.status);
      if (reply.status !== 200) expect(reply.body).toMatchObject({ status: reply.status, code: expect.any(String) });
    }
    const ends = results.filter(([n, r]) => n === "end" && r.status === 200);
    expect(ends, "exactly one end wins").toHaveLength(1);
    for (const [name, reply] of results.filter(([n, r]) => n === "end" && r.status === 409)) {
      expect(reply.body, name).toMatchObject({ code: "SESSION_ALREADY_ENDED" });
    }
    const meetings = new Set(
      results
        .filter(([n, r]) => n === "join" && r.status === 200)
        .map(([, r]) => (r.body as { meeting_id: string }).meeting_id),
    );
    meetings.add((started.body as unknown as { chime_meeting_id: string }).chime_meeting_id);
    expect(meetings.size, "one meeting for every join").toBe(1);

    // Every signalling connection is closed by the end (4410) or refused (ended / replaced).
    const codes = await Promise.all(
      sockets.map((s) =>
        Promise.race([s.closed.then((c) => c.code), new Promise<number>((r) => setTimeout(() => r(-1), 5000))]),
      ),
    );
    for (const code of codes) expect([4410, 4409]).toContain(code);

    const final = await call<SessionView>(system.urls.video, "GET", path, { token: doctor });
    expect(final.body.status).toBe("COMPLETED");
    expect(final.body.chime_meeting_id).toBe([...meetings][0]);
    expect(final.body.attendees.filter((a) => a.status === "CONNECTED" || a.status === "JOINING")).toEqual([]);
    const live = final.body.attendees.filter((a) => a.leave_time === null && a.status !== "REPLACED");
    expect(live.filter((a) => a.status !== "LEFT")).toEqual([]);

    const rows = await system.apps.video?.video.database.db.selectFrom("outbox").select(["type", "payload"]).execute();
    const mine = (rows ?? []).filter((r) => JSON.stringify(r.payload).includes(sessionId));
    expect(mine.filter((r) => r.type === EventTypes.consultationCompleted)).toHaveLength(1);
    expect(mine.filter((r) => r.type === EventTypes.consultationStarted)).toHaveLength(1);
  });
});

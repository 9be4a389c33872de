import type { WebhookEventType } from "@clinic/contracts";
import { type LockHeldSteps, whileLockHeld } from "@clinic/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddedMediaProvider } from "../meetings/embedded/embedded-media-provider.ts";
import { createJoinTokens } from "../meetings/embedded/join-tokens.ts";
import type { MediaProvider } from "../meetings/media-provider.ts";
import type { Executor, VideoTables } from "../tables.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { insertEndpoint, subscribedEndpointsByType } from "./webhooks.repository.ts";

/**
 * The start's and the end's webhook endpoints are read by their outbox enqueue's statement
 * (`sessionStartedEndpoints` / `sessionEndedEndpoints`, carried by `OutboxRelay.enqueue`), not by
 * a statement of their own: the deliveries are those the separate read gave, and the read still
 * comes after the session's row lock and KEY SHARE-locks the endpoints it delivers to.
 */
const clinic = users.doctor.clinic_id;
let n = 0;

async function addEndpoint(db: Executor, events: WebhookEventType[], clinicId = clinic) {
  n += 1;
  const webhook_id = `wh_carried_${Date.now()}_${n}`;
  await insertEndpoint(db, {
    webhook_id,
    clinic_id: clinicId,
    url: `https://hooks.example.test/${n}`,
    events,
    secret: `whsec_${"a".repeat(32)}`,
    created_by: users.admin.id,
    created_at: new Date(),
    last_failure_at: null,
    last_failure_status_code: null,
    last_failure_error: null,
  });
  return webhook_id;
}

/** The session's deliveries, as `event_type webhook_id`, sorted. */
async function deliveredFor(h: Harness, sessionId: string) {
  const { rows } = await sql<{ event_type: string; webhook_id: string }>`
    SELECT event_type, webhook_id FROM webhook_deliveries WHERE body::jsonb -> 'data' ->> 'session_id' = ${sessionId}
  `.execute(h.app.video.database.db);
  return rows.map((r) => `${r.event_type} ${r.webhook_id}`).sort();
}

/** What the separate read (a statement of its own) finds now, as `deliveredFor` lists it. */
async function separateRead(h: Harness, types: WebhookEventType[]) {
  const byType = await h.app.video.database.db
    .transaction()
    .execute((trx) => subscribedEndpointsByType(trx, clinic, types));
  return types.flatMap((type) => byType[type].map((e) => `${type} ${e.webhook_id}`)).sort();
}

describe("the start's and the end's webhook endpoints, read by their outbox enqueue", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it("deliver to exactly the endpoints the separate read finds: several per clinic, each subscription, another clinic's not", async () => {
    const db = h.app.video.database.db;
    const started = await addEndpoint(db, ["session.started"]);
    const ended = await addEndpoint(db, ["session.ended"]);
    const both = await addEndpoint(db, ["session.ended", "session.notes_updated", "session.started"]);
    await addEndpoint(db, ["session.notes_updated"]);
    await addEndpoint(db, ["usage.threshold_crossed"]);
    await addEndpoint(db, ["session.started", "session.ended"], "clinic-other");

    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    const startEvents = await deliveredFor(h, sessionId);
    expect(startEvents).toEqual(await separateRead(h, ["session.started"]));
    expect(startEvents).toEqual([`session.started ${started}`, `session.started ${both}`].sort());

    const response = await h.end(sessionId);
    expect(response.statusCode, response.body).toBe(200);
    const endEvents = (await deliveredFor(h, sessionId)).filter((d) => !startEvents.includes(d));
    // No usage crossing here (the session had no attendance): only the end's deliveries.
    expect(endEvents).toEqual(await separateRead(h, ["session.ended"]));
    expect(endEvents).toEqual([`session.ended ${ended}`, `session.ended ${both}`].sort());
  });
});

/**
 * What committed while the start or the end waited for the session's row lock, and a delete
 * of an endpoint in progress. Real concurrency, so PostgreSQL only (PGlite runs one statement at
 * a time).
 */
describe.skipIf(!process.env.DATABASE_URL)("the carried endpoints' read under concurrency", () => {
  let h: Harness;
  /** createAttendee waits for `open()` once `hold` is set: the start is between its reservation and its record. */
  let hold = false;
  let entered: (sessionId: string) => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;

  beforeAll(async () => {
    const inner = createEmbeddedMediaProvider({
      joinTokens: await createJoinTokens({ ttlSeconds: 600 }),
      iceServers: [],
    });
    const provider: MediaProvider = {
      name: inner.name,
      iceServers: inner.iceServers,
      maxCallMs: inner.maxCallMs,
      createMeeting: (input) => inner.createMeeting(input),
      async createAttendee(meeting, input) {
        if (hold) {
          entered(input.session_id);
          await gate;
        }
        return inner.createAttendee(meeting, input);
      },
      deleteAttendee: (meeting, attendeeId) => inner.deleteAttendee(meeting, attendeeId),
      endMeeting: (meeting) => inner.endMeeting(meeting),
    };
    h = await createHarness({ mediaProvider: provider });
  });
  afterAll(() => h.close());

  /** Runs `during` while `request` waits for `hold`'s lock (taken by a held transaction), then lets it go. */
  const whileWaiting = <T>(steps: Omit<LockHeldSteps<VideoTables, T>, "never">) =>
    whileLockHeld(h.app.video.database.db, { ...steps, never: "the request never waited for the held lock" });

  const lockSession = (sessionId: string) => (trx: Executor) =>
    sql`SELECT 1 FROM sessions WHERE session_id = ${sessionId} FOR UPDATE`.execute(trx);

  it("an end delivers to an endpoint created while it waited for the session's lock", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    let created = "";
    const response = await whileWaiting({
      hold: lockSession(sessionId),
      request: () => h.end(sessionId),
      during: async () => {
        created = await addEndpoint(h.app.video.database.db, ["session.ended"]);
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(await deliveredFor(h, sessionId)).toContain(`session.ended ${created}`);
  });

  it("a start delivers to an endpoint created while its record step waited for the session's lock", async () => {
    const appointment = h.addAppointment();
    const reachedProvider = new Promise<string>((resolve) => {
      entered = resolve;
    });
    gate = new Promise((resolve) => {
      open = resolve;
    });
    hold = true;
    const starting = h.start(appointment.id);
    const sessionId = await reachedProvider;
    hold = false;
    let created = "";
    const response = await whileWaiting({
      hold: lockSession(sessionId),
      request: async () => {
        open();
        return starting;
      },
      during: async () => {
        created = await addEndpoint(h.app.video.database.db, ["session.started"]);
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(await deliveredFor(h, sessionId)).toContain(`session.started ${created}`);
  });

  it("an end waits for an endpoint's delete in progress: skipped once it commits, delivered to if it rolls back", async () => {
    const db = h.app.video.database.db;
    const kept = await addEndpoint(db, ["session.ended"]);
    for (const outcome of ["commit", "rollback"] as const) {
      const going = await addEndpoint(db, ["session.ended"]);
      const { body } = await h.startedSession();
      const sessionId = body.session_id as string;
      const response = await whileWaiting({
        hold: (trx) => sql`DELETE FROM webhook_endpoints WHERE webhook_id = ${going}`.execute(trx),
        request: () => h.end(sessionId),
        end: outcome,
      });
      expect(response.statusCode, response.body).toBe(200);
      const delivered = await deliveredFor(h, sessionId);
      expect(delivered).toContain(`session.ended ${kept}`);
      if (outcome === "commit") expect(delivered).not.toContain(`session.ended ${going}`);
      else expect(delivered).toContain(`session.ended ${going}`);
      expect(delivered.filter((d) => d.startsWith("session.ended "))).toEqual(await separateRead(h, ["session.ended"]));
    }
  });
});

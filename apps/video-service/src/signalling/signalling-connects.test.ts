import { SignalCloseCodes } from "@clinic/contracts";
import { captureLogs } from "@clinic/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedWithin, connectSignal, type SignalClient, signalUrl } from "../testing/signal-client.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { addressKey, ConnectLimiter } from "./connect-limiter.ts";

/** Every client of a test connects from its own loopback address, so the per-address limit is the test's own. */
let nextAddress = 2;
const freshAddress = () => `127.0.0.${nextAddress++}`;

describe("signalling connects: limited per address and per attendee, every refused token on record", () => {
  let h: Harness;
  let base: string;
  const logs = captureLogs();
  const open: SignalClient[] = [];
  const connect = (sessionId: string, token: string | undefined, localAddress: string) => {
    const client = connectSignal(signalUrl(base, sessionId, token), { localAddress });
    open.push(client);
    return client;
  };
  const auditOf = (sessionId: string) =>
    h.app.video.database.db
      .selectFrom("audit_log")
      .select(["actor_id", "actor_role", "clinic_id", "outcome", "session_id", "client_address"])
      .where("action", "=", "session.signal.connect")
      .where("session_id", "=", sessionId)
      .orderBy("id")
      .execute();

  beforeAll(async () => {
    h = await createHarness({
      env: { SIGNAL_CONNECTS_PER_MINUTE: "2", LOG_LEVEL: "debug" },
      logStream: logs.stream,
    });
    base = await h.listen();
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await h.close();
  });

  it("refuses the N+1-th connect from one address within a minute with 1013, and takes it again a minute later", async () => {
    const m = await h.meeting();
    const address = freshAddress();
    for (let i = 0; i < 2; i++) {
      const client = connect(m.sessionId, "not-a-token", address);
      expect((await closedWithin(client)).code).toBe(SignalCloseCodes.invalidToken);
    }
    const third = connect(m.sessionId, m.doctor.join_token, address);
    expect(await closedWithin(third)).toEqual({
      code: SignalCloseCodes.tryAgainLater,
      reason: "too many connects, try again later",
    });
    // Refused before the token was looked at: only the two attempts above are on record.
    expect(await auditOf(m.sessionId)).toHaveLength(2);
    // Another address is not held back by this one.
    const elsewhere = connect(m.sessionId, m.doctor.join_token, freshAddress());
    await elsewhere.next("welcome");

    h.advance(60_000);
    const later = connect(m.sessionId, m.patient.join_token, address);
    await later.next("welcome");
  });

  it("refuses the N+1-th connect with one join token within a minute, whatever the address", async () => {
    const m = await h.meeting();
    const first = connect(m.sessionId, m.patient.join_token, freshAddress());
    await first.next("welcome");
    const second = connect(m.sessionId, m.patient.join_token, freshAddress());
    await second.next("welcome");
    expect((await closedWithin(first)).code).toBe(SignalCloseCodes.replaced);
    const third = connect(m.sessionId, m.patient.join_token, freshAddress());
    expect((await closedWithin(third)).code).toBe(SignalCloseCodes.tryAgainLater);
    // The doctor's token has its own count.
    const doctor = connect(m.sessionId, m.doctor.join_token, freshAddress());
    await doctor.next("welcome");
  });

  it("audits refused tokens as DENIED with the session's clinic and the address, and connects as ALLOWED", async () => {
    const m = await h.meeting();
    const other = await h.meeting();
    const forgedFrom = freshAddress();
    const forged = connect(m.sessionId, `${m.patient.join_token.slice(0, -4)}AAAA`, forgedFrom);
    expect((await closedWithin(forged)).code).toBe(SignalCloseCodes.invalidToken);
    const missingFrom = freshAddress();
    const missing = connect(m.sessionId, undefined, missingFrom);
    // No `?token` and a first frame that is not `auth`: a missing token, refused at once.
    missing.ws.once("open", () => missing.send({ type: "heartbeat" }));
    expect((await closedWithin(missing)).code).toBe(SignalCloseCodes.invalidToken);
    const crossFrom = freshAddress();
    const cross = connect(m.sessionId, other.patient.join_token, crossFrom);
    expect((await closedWithin(cross)).code).toBe(SignalCloseCodes.forbidden);
    const okFrom = freshAddress();
    const doctor = connect(m.sessionId, m.doctor.join_token, okFrom);
    await doctor.next("welcome");
    // Joining again replaces the attendee: its old token is refused, and that is on record too.
    const stale = m.patient.join_token;
    await h.join(m.sessionId, users.patient);
    const replacedFrom = freshAddress();
    const replaced = connect(m.sessionId, stale, replacedFrom);
    expect((await closedWithin(replaced)).code).toBe(SignalCloseCodes.replaced);

    const row = (actor: string, role: string, outcome: string, address: string) => ({
      actor_id: actor,
      actor_role: role,
      clinic_id: "clinic-1",
      outcome,
      session_id: m.sessionId,
      client_address: address,
    });
    expect(await auditOf(m.sessionId)).toEqual([
      row("anonymous", "ANONYMOUS", "DENIED", forgedFrom),
      row("anonymous", "ANONYMOUS", "DENIED", missingFrom),
      row(users.patient.id, "ATTENDEE", "DENIED", crossFrom),
      row(users.doctor.id, "DOCTOR", "ALLOWED", okFrom),
      row(users.patient.id, "ATTENDEE", "DENIED", replacedFrom),
    ]);

    // A token for a session that does not exist: on record without a clinic.
    const nowhere = "sess-00000000-0000-4000-8000-000000000000";
    const lost = connect(nowhere, "not-a-token", freshAddress());
    expect((await closedWithin(lost)).code).toBe(SignalCloseCodes.invalidToken);
    expect(await auditOf(nowhere)).toEqual([expect.objectContaining({ clinic_id: null, outcome: "DENIED" })]);
  });

  it("an allowed connect and its audit row commit together: no row, no connect (nothing recorded, socket closed)", async () => {
    const m = await h.meeting();
    const db = h.app.video.database.db;
    // The audit row of an allowed connect cannot be written (a failing insert, for this test only).
    await sql`CREATE FUNCTION refuse_connect_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = 'session.signal.connect' AND NEW.outcome = 'ALLOWED' THEN
          RAISE EXCEPTION 'audit row refused (test)';
        END IF;
        RETURN NEW;
      END $$`.execute(db);
    await sql`CREATE TRIGGER refuse_connect_row BEFORE INSERT ON audit_log
      FOR EACH ROW EXECUTE FUNCTION refuse_connect_row()`.execute(db);
    try {
      const doctor = connect(m.sessionId, m.doctor.join_token, freshAddress());
      expect((await closedWithin(doctor)).code).toBe(1011);
      expect(doctor.messages.map((message) => message.type)).not.toContain("welcome");
      // The connect rolled back with it: no interval opened, the attendee not CONNECTED.
      const intervals = await db
        .selectFrom("attendance_intervals")
        .select("id")
        .where("attendee_id", "=", m.doctor.attendee_id)
        .execute();
      expect(intervals).toEqual([]);
      const attendee = await db
        .selectFrom("attendees")
        .select("status")
        .where("attendee_id", "=", m.doctor.attendee_id)
        .executeTakeFirst();
      expect(attendee?.status).not.toBe("CONNECTED");
    } finally {
      await sql`DROP TRIGGER refuse_connect_row ON audit_log`.execute(db);
      await sql`DROP FUNCTION refuse_connect_row()`.execute(db);
    }
    // Written again: the same token connects, and its row is there by the time `welcome` is.
    const doctor = connect(m.sessionId, m.doctor.join_token, freshAddress());
    await doctor.next("welcome");
    expect(await auditOf(m.sessionId)).toContainEqual(
      expect.objectContaining({ actor_id: users.doctor.id, outcome: "ALLOWED" }),
    );
  });

  it("logs no join token, refused or not", () => {
    const text = logs.text();
    expect(text).toContain("signalling connects over the limit refused");
    for (const line of open.map((c) => c.ws.url)) {
      const token = new URL(line).searchParams.get("token");
      if (!token || token === "not-a-token") continue;
      expect(text).not.toContain(token);
      // Nor the signature or the claims on their own.
      for (const part of token.split(".")) expect(text).not.toContain(part);
    }
  });
});

describe("ConnectLimiter", () => {
  it("keeps its memory bounded: a key idle for a minute is forgotten, and past maxKeys the oldest go", () => {
    let now = 0;
    const limiter = new ConnectLimiter(1, () => now, 3);
    expect(limiter.take("a")).toEqual({ allowed: true, firstRefusal: false });
    expect(limiter.take("a")).toEqual({ allowed: false, firstRefusal: true });
    expect(limiter.take("a")).toEqual({ allowed: false, firstRefusal: false });
    for (const key of ["b", "c", "d", "e"]) limiter.take(key);
    expect(limiter.size).toBe(3);
    now += 60_000;
    limiter.take("f");
    expect(limiter.size).toBe(1);
  });

  it("counts IPv6 clients by their /64 and IPv4-mapped addresses as IPv4", () => {
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe(addressKey("2001:db8:1:2:bbbb::2"));
    expect(addressKey("2001:db8:1:3::1")).not.toBe(addressKey("2001:db8:1:2::1"));
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });
});

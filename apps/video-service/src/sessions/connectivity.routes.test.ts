import { createHmac } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createHarness, users } from "../testing/video-test-harness.ts";

// The pre-call connectivity check (issue 12): GET /api/video/connectivity.
const turnEnv = {
  ICE_SERVERS: JSON.stringify([{ urls: "stun:stun.example:3478" }]),
  TURN_URLS: "turn:turn.example:3478",
  TURN_SECRET: "check-secret",
  TURN_TTL_S: "900",
};

describe("GET /api/video/connectivity", () => {
  const harnesses: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  it("gives everyone signed in the ICE servers plus a TURN credential of their own that lasts 60 s, audited", async () => {
    const h = await createHarness({ env: turnEnv });
    harnesses.push(h);
    h.clock.now = new Date("2031-05-06T07:08:09.000Z");
    const expiry = Math.floor(h.clock.now.getTime() / 1000) + 60;
    const usernames = new Set<string>();
    for (const user of [users.doctor, users.patient, users.admin]) {
      const reply = await h.app.inject({ url: "/api/video/connectivity", headers: await h.auth(user) });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.headers["cache-control"]).toBe("no-store");
      const body = reply.json();
      expect(body).toMatchObject({ media_provider: "embedded", ice_transport_policy: "all", relay_configured: true });
      expect(body.ice_servers[0]).toEqual({ urls: "stun:stun.example:3478" });
      const turn = body.ice_servers[1];
      expect(turn.urls).toEqual(["turn:turn.example:3478"]);
      // Named by the check (its audit row's id), never the person (coturn logs usernames).
      expect(turn.username).toMatch(new RegExp(`^${expiry}:check-[0-9]+$`));
      expect(turn.username).not.toContain(user.id);
      expect(turn.credential).toBe(createHmac("sha1", turnEnv.TURN_SECRET).update(turn.username).digest("base64"));
      usernames.add(turn.username);
    }
    expect(usernames.size).toBe(3);
    const audit = await h.app.video.database.db
      .selectFrom("audit_log")
      .select(["id", "actor_id", "outcome"])
      .where("action", "=", "session.checkConnectivity")
      .execute();
    expect(audit.map((a) => a.actor_id).sort()).toEqual([users.admin.id, users.doctor.id, users.patient.id].sort());
    expect(audit.every((a) => a.outcome === "ALLOWED")).toBe(true);
    // An operator traces a TURN log's username to a person through the audit row it names.
    expect([...usernames].map((u) => u.split(":check-")[1]).sort()).toEqual(audit.map((a) => String(a.id)).sort());
  });

  it("answers 429 TOO_MANY_CONNECTIVITY_CHECKS with Retry-After past 30 checks a minute per user", async () => {
    const h = await createHarness({ env: turnEnv });
    harnesses.push(h);
    const patient = await h.auth(users.patient);
    for (let i = 0; i < 30; i++) {
      const ok = await h.app.inject({ url: "/api/video/connectivity", headers: patient });
      expect(ok.statusCode, ok.body).toBe(200);
    }
    const refused = await h.app.inject({ url: "/api/video/connectivity", headers: patient });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers["retry-after"]).toBe("2");
    expect(refused.json()).toMatchObject({ code: "TOO_MANY_CONNECTIVITY_CHECKS", retry_after: 2 });
    // Refused before the credential and the audit row: 30 rows, not 31.
    const rows = await h.app.video.database.db
      .selectFrom("audit_log")
      .select("id")
      .where("action", "=", "session.checkConnectivity")
      .execute();
    expect(rows).toHaveLength(30);
    // Another person is not held back by this one; the patient again after the refill.
    const doctor = await h.app.inject({ url: "/api/video/connectivity", headers: await h.auth(users.doctor) });
    expect(doctor.statusCode).toBe(200);
    h.advance(2_000);
    expect((await h.app.inject({ url: "/api/video/connectivity", headers: patient })).statusCode).toBe(200);
  });

  it("without TURN: the static servers only and relay_configured false; without a token 401", async () => {
    const h = await createHarness();
    harnesses.push(h);
    const reply = await h.app.inject({ url: "/api/video/connectivity", headers: await h.auth(users.patient) });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toEqual({
      media_provider: "embedded",
      ice_servers: [],
      ice_transport_policy: "all",
      relay_configured: false,
    });
    const anonymous = await h.app.inject({ url: "/api/video/connectivity" });
    expect(anonymous.statusCode).toBe(401);
  });

  it("serves an invite holder (the check names no appointment; the live-invite check still runs)", async () => {
    const h = await createHarness();
    harnesses.push(h);
    const appointment = h.addAppointment();
    const holder = { ...users.patient, invite: { appointment_id: appointment.id, invite_id: "inv-check" } };
    const ok = await h.app.inject({
      url: "/api/video/connectivity",
      headers: { authorization: `Bearer ${await h.tokens.sign(holder)}` },
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });
});

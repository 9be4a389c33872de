import { WebhookDataSchemas, type WebhookEventType } from "@clinic/contracts";
import { captureLogs } from "@clinic/platform/testing";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { Value } from "typebox/value";
import { afterEach, describe, expect, it } from "vitest";
import { durableDatabase } from "../testing/durable-database.ts";
import { createHarness, type Harness, type HarnessOptions, users } from "../testing/video-test-harness.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver.ts";
import type { Lookup } from "./webhook-url.ts";

const second = 1000;
const hour = 3600 * second;
const allEvents: WebhookEventType[] = ["session.started", "session.ended", "session.notes_updated"];

/** Every app and receiver a test opens, closed after it. */
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup(answers: number[] = [200], options: HarnessOptions = {}) {
  const receiver = await startWebhookReceiver(answers);
  open.push(receiver);
  const h = await createHarness({ ...options, env: { WEBHOOK_ALLOW_PRIVATE: "1", ...options.env } });
  open.push({ close: () => h.close() });
  return { h, receiver };
}

async function register(h: Harness, url: string, events: WebhookEventType[] = allEvents, user = users.admin) {
  const response = await h.app.inject({
    method: "POST",
    url: "/api/video/webhooks",
    headers: await h.auth(user),
    payload: { url, events },
  });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.body}`);
  return response.json() as { id: string; secret: string };
}

async function deliveries(h: Harness, webhookId: string) {
  const response = await h.app.inject({
    url: `/api/video/webhooks/${webhookId}/deliveries?limit=100`,
    headers: await h.auth(users.admin),
  });
  expect(response.statusCode).toBe(200);
  return response.json().deliveries as Record<string, unknown>[];
}

async function summary(h: Harness, webhookId: string) {
  const response = await h.app.inject({ url: "/api/video/webhooks", headers: await h.auth(users.admin) });
  return response.json().webhooks.find((w: { id: string }) => w.id === webhookId).deliveries;
}

const headersOf = (r: WebhookReceiver["received"][number]) => r.headers as Record<string, string>;

/** A consultation with notes that must never reach a receiver. */
const secretNotes = "Patient presented with chest pain; refer to cardiology";

describe("webhook deliveries (Standard Webhooks, from the outbox)", () => {
  it("signs every delivery so the reference package verifies it; payloads hold ids and times only", async () => {
    const { h, receiver } = await setup();
    const hook = await register(h, receiver.url);
    const { appointment, body } = await h.startedSession();
    const startedAt = h.clock.now.toISOString();
    await h.app.video.webhooks.flush();
    h.advance(12 * 60 * second + 31 * second);
    const end = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${body.session_id}/end`,
      headers: await h.auth(users.doctor),
      payload: { notes: secretNotes, quality_rating: 5 },
    });
    expect(end.statusCode).toBe(200);
    const endedAt = h.clock.now.toISOString();
    await h.app.video.webhooks.flush();
    h.advance(60 * second);
    const notes = await h.app.inject({
      method: "PUT",
      url: `/api/video/sessions/${body.session_id}/notes`,
      headers: await h.auth(users.doctor),
      payload: { notes: `${secretNotes} (updated)` },
    });
    expect(notes.statusCode).toBe(200);
    await h.app.video.webhooks.flush();

    expect(receiver.received).toHaveLength(3);
    const wh = new Webhook(hook.secret);
    const payloads = receiver.received.map((r) => {
      expect(r.path).toBe("/hooks/video?token=receiver-secret-query");
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["webhook-id"]).toMatch(/^msg_[A-Za-z0-9_-]{24}$/);
      expect(r.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(Math.abs(Number(r.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(30);
      // The reference algorithm (standardwebhooks' Webhook.verify) accepts it...
      const payload = wh.verify(r.body, headersOf(r)) as { type: WebhookEventType; timestamp: string; data: unknown };
      // ...and would not accept a changed body, another secret or another message id.
      expect(() => wh.verify(r.body.replace("session", "sessiom"), headersOf(r))).toThrow(WebhookVerificationError);
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString("base64")}`).verify(r.body, headersOf(r))).toThrow(
        WebhookVerificationError,
      );
      expect(() => wh.verify(r.body, { ...headersOf(r), "webhook-id": "msg_other" })).toThrow(WebhookVerificationError);
      expect(Value.Check(WebhookDataSchemas[payload.type], payload.data), payload.type).toBe(true);
      for (const secret of [
        secretNotes,
        users.patient.name,
        users.doctor.name,
        users.patient.email,
        users.doctor.email,
      ]) {
        expect(r.body).not.toContain(secret);
      }
      return payload;
    });
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(3);
    const ids = {
      session_id: body.session_id,
      appointment_id: appointment.id,
      clinic_id: "clinic-1",
      doctor_id: users.doctor.id,
      patient_id: users.patient.id,
    };
    expect(payloads).toEqual([
      { type: "session.started", timestamp: startedAt, data: { ...ids, start_time: startedAt } },
      {
        type: "session.ended",
        timestamp: endedAt,
        data: {
          ...ids,
          start_time: startedAt,
          end_time: endedAt,
          duration_seconds: 751,
          end_reason: "ENDED_BY_DOCTOR",
        },
      },
      {
        type: "session.notes_updated",
        timestamp: h.clock.now.toISOString(),
        data: { ...ids, updated_at: h.clock.now.toISOString(), updated_fields: ["notes"] },
      },
    ]);

    const rows = await deliveries(h, hook.id);
    expect(rows.map((d) => [d.event_type, d.status, d.attempts, d.last_status_code, d.next_attempt_at])).toEqual([
      ["session.notes_updated", "DELIVERED", 1, 200, null],
      ["session.ended", "DELIVERED", 1, 200, null],
      ["session.started", "DELIVERED", 1, 200, null],
    ]);
    expect(rows.map((d) => d.message_id)).toEqual(receiver.received.map((r) => r.headers["webhook-id"]).reverse());
    expect(await summary(h, hook.id)).toMatchObject({ pending: 0, delivered: 3, failed: 0, last_failure_at: null });
  });

  it("a receiver answering 500 then 200 gets the event exactly twice, with the same webhook-id", async () => {
    const { h, receiver } = await setup([500, 200]);
    const hook = await register(h, receiver.url, ["session.started"]);
    await h.startedSession();
    await h.app.video.webhooks.flush();
    expect(receiver.received).toHaveLength(1);
    const [first] = await deliveries(h, hook.id);
    expect(first).toMatchObject({
      status: "PENDING",
      attempts: 1,
      last_status_code: 500,
      last_error: "HTTP 500",
      next_attempt_at: new Date(h.clock.now.getTime() + 5 * second).toISOString(),
    });
    expect(await summary(h, hook.id)).toMatchObject({
      pending: 1,
      last_failure_at: h.clock.now.toISOString(),
      last_failure_status_code: 500,
      last_failure_error: "HTTP 500",
    });

    h.advance(4 * second); // not due yet
    await h.app.video.webhooks.flush();
    expect(receiver.received).toHaveLength(1);
    h.advance(1 * second);
    await h.app.video.webhooks.flush();
    expect(receiver.received).toHaveLength(2);
    h.advance(48 * hour);
    await h.app.video.webhooks.flush();
    await h.app.video.webhooks.flush();

    expect(receiver.received).toHaveLength(2);
    const [a, b] = receiver.received;
    expect(b?.headers["webhook-id"]).toBe(a?.headers["webhook-id"]);
    expect(b?.body).toBe(a?.body);
    // Each attempt signs its own timestamp; both verify.
    for (const r of receiver.received) new Webhook(hook.secret).verify(r.body, headersOf(r));
    expect((await deliveries(h, hook.id))[0]).toMatchObject({
      message_id: a?.headers["webhook-id"],
      status: "DELIVERED",
      attempts: 2,
      last_status_code: 200,
      last_error: null,
      next_attempt_at: null,
    });
  });

  it("retries on the Standard Webhooks schedule for 24 hours, then FAILED and visible to the admin", async () => {
    const { h, receiver } = await setup([503]);
    const hook = await register(h, receiver.url, ["session.started"]);
    const createdAt = h.clock.now.getTime();
    await h.startedSession();
    const attemptTimes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const before = receiver.received.length;
      await h.app.video.webhooks.flush();
      if (receiver.received.length > before) attemptTimes.push(h.clock.now.getTime() - createdAt);
      const [row] = await deliveries(h, hook.id);
      if (row?.status !== "PENDING") break;
      h.clock.now = new Date(String(row.next_attempt_at));
    }
    expect(attemptTimes).toEqual([
      0,
      5 * second,
      5 * second + 5 * 60 * second,
      5 * second + 35 * 60 * second,
      5 * second + 35 * 60 * second + 2 * hour,
      5 * second + 35 * 60 * second + 7 * hour,
      5 * second + 35 * 60 * second + 17 * hour,
      24 * hour,
    ]);
    const [row] = await deliveries(h, hook.id);
    expect(row).toMatchObject({
      status: "FAILED",
      attempts: 8,
      next_attempt_at: null,
      last_status_code: 503,
      last_error: "HTTP 503",
      failed_at: new Date(createdAt + 24 * hour).toISOString(),
    });
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(await summary(h, hook.id)).toMatchObject({
      pending: 0,
      delivered: 0,
      failed: 1,
      last_failure_at: new Date(createdAt + 24 * hour).toISOString(),
      last_failure_status_code: 503,
    });
    h.advance(100 * hour);
    await h.app.video.webhooks.flush();
    expect(receiver.received).toHaveLength(8);
  });

  it("logs attempts by endpoint, message id and URL without its query; never the secret or the body", async () => {
    const logs = captureLogs();
    const { h, receiver } = await setup([500, 200], { env: { LOG_LEVEL: "info" }, logStream: logs.stream });
    const hook = await register(h, receiver.url, ["session.started"]);
    await h.startedSession();
    await h.app.video.webhooks.flush();
    h.advance(5 * second);
    await h.app.video.webhooks.flush();
    expect(receiver.received).toHaveLength(2);
    const lines = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const attempts = lines.filter((l) => l.webhookId === hook.id);
    expect(attempts.map((l) => [l.msg, l.statusCode])).toEqual([
      ["webhook attempt failed; will retry", 500],
      ["webhook delivered", 200],
    ]);
    expect(attempts[0]).toMatchObject({
      url: `http://127.0.0.1:${receiver.port}/hooks/video`,
      messageId: receiver.received[0]?.headers["webhook-id"],
    });
    const text = logs.text();
    expect(text).not.toContain(hook.secret.slice("whsec_".length));
    expect(text).not.toContain("receiver-secret-query");
    expect(text).not.toContain(String(receiver.received[0]?.headers["webhook-signature"]).slice(3));
    expect(text).not.toContain(receiver.received[0]?.body);
  });

  it("a hung receiver times out (WEBHOOK_TIMEOUT_MS) and a redirect is not followed: both are retried", async () => {
    const { h, receiver } = await setup([0, 302, 200], { env: { WEBHOOK_TIMEOUT_MS: "300" } });
    const hook = await register(h, receiver.url, ["session.started"]);
    await h.startedSession();
    const started = Date.now();
    await h.app.video.webhooks.flush();
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await deliveries(h, hook.id))[0]).toMatchObject({
      status: "PENDING",
      attempts: 1,
      last_status_code: null,
      last_error: "timeout after 300 ms",
    });
    h.advance(5 * second);
    await h.app.video.webhooks.flush();
    expect((await deliveries(h, hook.id))[0]).toMatchObject({
      attempts: 2,
      last_status_code: 302,
      last_error: "HTTP 302",
    });
    expect(receiver.received.map((r) => r.path)).not.toContain("/elsewhere");
    h.advance(5 * 60 * second);
    await h.app.video.webhooks.flush();
    expect((await deliveries(h, hook.id))[0]).toMatchObject({ status: "DELIVERED", attempts: 3 });
    expect(receiver.received).toHaveLength(3);
  });

  it("a refused connection is a failed attempt recorded without internals", async () => {
    const { h, receiver } = await setup();
    await receiver.close();
    const hook = await register(h, receiver.url, ["session.started"]);
    await h.startedSession();
    await h.app.video.webhooks.flush();
    expect((await deliveries(h, hook.id))[0]).toMatchObject({
      status: "PENDING",
      attempts: 1,
      last_status_code: null,
      last_error: "network error (ECONNREFUSED)",
    });
  });

  it("only subscribed endpoints of the session's clinic get an event; a deleted endpoint gets nothing", async () => {
    const { h, receiver } = await setup();
    const other = await startWebhookReceiver();
    open.push(other);
    const endedOnly = await register(h, `${receiver.url}&hook=ended`, ["session.ended"]);
    const foreign = await register(h, other.url, allEvents, users.foreignAdmin);
    const doomed = await register(h, `${receiver.url}&hook=doomed`, allEvents);
    const { body } = await h.startedSession();
    expect((await deliveries(h, doomed.id)).map((d) => d.status)).toEqual(["PENDING"]);
    const removed = await h.app.inject({
      method: "DELETE",
      url: `/api/video/webhooks/${doomed.id}`,
      headers: await h.auth(users.admin),
    });
    expect(removed.statusCode).toBe(204);
    await h.end(body.session_id);
    await h.app.video.webhooks.flush();
    h.advance(hour);
    await h.app.video.webhooks.flush();
    expect(receiver.received.map((r) => [r.path, JSON.parse(r.body).type])).toEqual([
      ["/hooks/video?token=receiver-secret-query&hook=ended", "session.ended"],
    ]);
    expect(other.received).toHaveLength(0);
    expect(await deliveries(h, endedOnly.id)).toHaveLength(1);
    const pending = await h.app.video.database.db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where("webhook_id", "in", [doomed.id, foreign.id])
      .execute();
    expect(pending).toHaveLength(0);
  });

  it("the idle auto-end announces session.ended with reason IDLE_TIMEOUT", async () => {
    const { h, receiver } = await setup();
    const hook = await register(h, receiver.url, ["session.ended"]);
    const { body } = await h.startedSession();
    h.advance(16 * 60 * second);
    expect(await h.app.video.sweepIdle()).toContain(body.session_id);
    await h.app.video.webhooks.flush();
    expect(receiver.received).toHaveLength(1);
    const payload = new Webhook(hook.secret).verify(receiver.received[0]!.body, headersOf(receiver.received[0]!));
    expect(payload).toMatchObject({
      type: "session.ended",
      data: { session_id: body.session_id, duration_seconds: 16 * 60, end_reason: "IDLE_TIMEOUT" },
    });
  });

  it("checks the address again at delivery: a name rebound to loopback is not called (DNS rebinding)", async () => {
    const receiver = await startWebhookReceiver();
    open.push(receiver);
    let answer = "93.184.215.14";
    const lookup: Lookup = async () => [{ address: answer, family: 4 }];
    const h = await createHarness({ webhookLookup: lookup });
    open.push({ close: () => h.close() });
    const hook = await register(h, `http://hooks.rebind.test:${receiver.port}/x`, ["session.started"]);
    answer = "127.0.0.1";
    await h.startedSession();
    await h.app.video.webhooks.flush();
    expect(receiver.received).toHaveLength(0);
    expect((await deliveries(h, hook.id))[0]).toMatchObject({
      status: "PENDING",
      attempts: 1,
      last_status_code: null,
      last_error: "address refused (loopback)",
    });
  });

  it("connects to the address its own lookup checked (a name resolving to the receiver, private allowed)", async () => {
    const receiver = await startWebhookReceiver();
    open.push(receiver);
    const lookup: Lookup = async () => [{ address: "127.0.0.1", family: 4 }];
    const h = await createHarness({ webhookLookup: lookup, env: { WEBHOOK_ALLOW_PRIVATE: "1" } });
    open.push({ close: () => h.close() });
    const hook = await register(h, `http://hooks.local.test:${receiver.port}/x`, ["session.started"]);
    await h.startedSession();
    await h.app.video.webhooks.flush();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.headers.host).toBe(`hooks.local.test:${receiver.port}`);
    expect((await deliveries(h, hook.id))[0]).toMatchObject({ status: "DELIVERED" });
  });

  it("closing the app mid-attempt releases the delivery untouched; the next instance sends it", async () => {
    const database = durableDatabase();
    const receiver = await startWebhookReceiver([0, 200]);
    open.push(receiver);
    const first = await createHarness({ database, env: { WEBHOOK_ALLOW_PRIVATE: "1", WEBHOOK_TIMEOUT_MS: "20000" } });
    const hook = await register(first, receiver.url, ["session.started"]);
    await first.startedSession();
    const inFlight = first.app.video.webhooks.flush();
    for (let i = 0; i < 200 && receiver.received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(receiver.received).toHaveLength(1);
    const closing = Date.now();
    await first.close(true);
    await inFlight;
    expect(Date.now() - closing).toBeLessThan(5000);

    const second = await createHarness({ database, env: { WEBHOOK_ALLOW_PRIVATE: "1" } });
    open.push({ close: () => second.close() });
    const [row] = await second.app.video.database.db
      .selectFrom("webhook_deliveries")
      .select(["status", "attempts", "claim_id"])
      .where("webhook_id", "=", hook.id)
      .execute();
    expect(row).toEqual({ status: "PENDING", attempts: 0, claim_id: null });
    await second.app.video.webhooks.flush();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]?.headers["webhook-id"]).toBe(receiver.received[0]?.headers["webhook-id"]);
    expect((await deliveries(second, hook.id))[0]).toMatchObject({ status: "DELIVERED", attempts: 1 });
  });
});

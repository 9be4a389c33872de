import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedWithin, connectSignal, type SignalClient, signalUrl } from "../testing/signal-client.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver.ts";

const minute = 60_000;

/**
 * usage.threshold_crossed through the real path: attendance from signalling connections,
 * checked when a session ends and when an interval closes (a leave), announced once per
 * threshold per clinic per month. FREE_TIER_MINUTES=10, so one minute of two people is 20 %.
 */
describe("usage.threshold_crossed webhooks", () => {
  let h: Harness;
  let base: string;
  let receiver: WebhookReceiver;
  let webhookId: string;
  const clients: SignalClient[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    h = await createHarness({
      env: { FREE_TIER_MINUTES: "10", USAGE_LIMIT_POLICY: "warn", WEBHOOK_ALLOW_PRIVATE: "1" },
    });
    h.clock.now = new Date("2026-03-10T10:00:00.000Z");
    base = await h.listen();
    const created = await h.app.inject({
      method: "POST",
      url: "/api/video/webhooks",
      headers: await h.auth(users.admin),
      payload: { url: receiver.url, events: ["usage.threshold_crossed"] },
    });
    expect(created.statusCode).toBe(201);
    webhookId = created.json().id;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await h?.close();
    await receiver?.close();
  });

  async function attend(sessionId: string, token: string) {
    const client = connectSignal(signalUrl(base, sessionId, token));
    clients.push(client);
    await client.next("welcome");
    return client;
  }

  /** A started session with the doctor and the patient connected. */
  async function consultation() {
    const { body } = await h.startedSession();
    const patient = await h.join(body.session_id, users.patient);
    const doctorWs = await attend(body.session_id, body.doctor_attendee.join_token);
    const patientWs = await attend(body.session_id, patient.attendee.join_token);
    return { sessionId: body.session_id as string, doctorWs, patientWs };
  }

  async function endNow(sessionId: string) {
    const response = await h.end(sessionId);
    expect(response.statusCode).toBe(200);
  }

  /** Threshold payloads received so far (after sending what is due). */
  async function announced() {
    await h.app.video.webhooks.flush();
    return receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
  }

  it("fires each threshold once per month: 50 % at an end, 80 % at a leave, 100 % above the tier", async () => {
    // 2 people × 3 min = 6 of 10 minutes: WARNING.
    const first = await consultation();
    h.advance(3 * minute);
    await endNow(first.sessionId);
    expect(await announced()).toEqual([
      {
        type: "usage.threshold_crossed",
        timestamp: h.clock.now.toISOString(),
        data: {
          clinic_id: "clinic-1",
          month: "2026-03",
          threshold_percent: 50,
          status: "WARNING",
          usage_percentage: 60,
          total_attendee_minutes: 6,
          free_tier_limit: 10,
        },
      },
    ]);

    // +2 people × 1 min = 8: CRITICAL, noticed when the patient leaves (the doctor still counts to now).
    const second = await consultation();
    h.advance(1 * minute);
    second.patientWs.close();
    await closedWithin(second.patientWs);
    for (let i = 0; i < 200 && (await announced()).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await announced()).map((p) => [p.data.threshold_percent, p.data.status, p.data.usage_percentage])).toEqual([
      [50, "WARNING", 60],
      [80, "CRITICAL", 80],
    ]);
    await endNow(second.sessionId);

    // +1 = 9 minutes: still CRITICAL, nothing new.
    const third = await consultation();
    h.advance(minute / 2);
    await endNow(third.sessionId);
    expect(await announced()).toHaveLength(2);

    // +2 = 11 minutes, 110 %: EXCEEDED (USAGE_LIMIT_POLICY=warn lets it start).
    const fourth = await consultation();
    h.advance(1 * minute);
    await endNow(fourth.sessionId);
    const fifth = await consultation();
    h.advance(1 * minute);
    await endNow(fifth.sessionId);
    const march = await announced();
    expect(march.map((p) => [p.data.threshold_percent, p.data.status, p.data.usage_percentage])).toEqual([
      [50, "WARNING", 60],
      [80, "CRITICAL", 80],
      [100, "EXCEEDED", 110],
    ]);
    const remembered = await h.app.video.database.db
      .selectFrom("usage_thresholds_crossed")
      .select(["month", "threshold_percent"])
      .where("clinic_id", "=", "clinic-1")
      .orderBy("threshold_percent")
      .execute();
    expect(remembered).toEqual([
      { month: "2026-03", threshold_percent: 50 },
      { month: "2026-03", threshold_percent: 80 },
      { month: "2026-03", threshold_percent: 100 },
    ]);

    // A new month starts from zero: 50 % is announced again, for April.
    h.clock.now = new Date("2026-04-02T09:00:00.000Z");
    const april = await consultation();
    h.advance(3 * minute);
    await endNow(april.sessionId);
    const all = await announced();
    expect(all).toHaveLength(4);
    expect(all[3]?.data).toMatchObject({ month: "2026-04", threshold_percent: 50, status: "WARNING" });

    // Every announcement was delivered once, each with its own webhook-id.
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(4);
    const deliveries = await h.app.inject({
      url: `/api/video/webhooks/${webhookId}/deliveries`,
      headers: await h.auth(users.admin),
    });
    expect(deliveries.json().deliveries.map((d: { status: string }) => d.status)).toEqual([
      "DELIVERED",
      "DELIVERED",
      "DELIVERED",
      "DELIVERED",
    ]);
  });

  it("sums nothing for a clinic without a listener, and announces the crossing once one subscribes", async () => {
    const removed = await h.app.inject({
      method: "DELETE",
      url: `/api/video/webhooks/${webhookId}`,
      headers: await h.auth(users.admin),
    });
    expect(removed.statusCode).toBe(204);
    const before = receiver.received.length;
    h.clock.now = new Date("2026-05-05T09:00:00.000Z");
    const quiet = await consultation();
    h.advance(3 * minute); // 60 % of the tier, unheard
    await endNow(quiet.sessionId);
    const may = () =>
      h.app.video.database.db
        .selectFrom("usage_thresholds_crossed")
        .select("threshold_percent")
        .where("clinic_id", "=", "clinic-1")
        .where("month", "=", "2026-05")
        .execute();
    expect(await may()).toEqual([]);

    const again = await h.app.inject({
      method: "POST",
      url: "/api/video/webhooks",
      headers: await h.auth(users.admin),
      payload: { url: receiver.url, events: ["usage.threshold_crossed"] },
    });
    expect(again.statusCode).toBe(201);
    const next = await consultation();
    h.advance(minute / 2);
    await endNow(next.sessionId);
    const heard = (await announced()).slice(before);
    expect(heard.map((p) => [p.data.month, p.data.threshold_percent])).toEqual([["2026-05", 50]]);
    expect(await may()).toEqual([{ threshold_percent: 50 }]);
  });
});

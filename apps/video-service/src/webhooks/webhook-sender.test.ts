import { createHmac, timingSafeEqual } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { signatureHeaders } from "./webhook-sender.ts";
import { nextAttemptAt } from "./webhook-worker.ts";

describe("webhook signature (Standard Webhooks v1)", () => {
  const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
  const body = JSON.stringify({ type: "session.ended", timestamp: "2026-03-10T10:00:00.000Z", data: { a: "é" } });

  it("equals the plain HMAC steps the README gives receivers", () => {
    const headers = signatureHeaders(secret, "msg_abcdefghijklmnopqrstuvwx", body, new Date(1_773_136_800_123));
    expect(headers["webhook-id"]).toBe("msg_abcdefghijklmnopqrstuvwx");
    expect(headers["webhook-timestamp"]).toBe("1773136800");
    // README: key = base64-decode(secret without "whsec_"); HMAC-SHA256 over "<id>.<timestamp>.<body>"; base64.
    const key = Buffer.from(secret.slice("whsec_".length), "base64");
    const expected = createHmac("sha256", key)
      .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`)
      .digest("base64");
    const [version, signature] = headers["webhook-signature"].split(",") as [string, string];
    expect(version).toBe("v1");
    expect(timingSafeEqual(Buffer.from(signature), Buffer.from(expected))).toBe(true);
  });

  it("is verified by the reference package for a fresh timestamp, and refused when stale", () => {
    const now = signatureHeaders(secret, "msg_abcdefghijklmnopqrstuvwx", body, new Date());
    expect(new Webhook(secret).verify(body, now)).toEqual(JSON.parse(body));
    const old = signatureHeaders(secret, "msg_abcdefghijklmnopqrstuvwx", body, new Date(Date.now() - 10 * 60_000));
    expect(() => new Webhook(secret).verify(body, old)).toThrow(/too old/);
  });
});

describe("retry schedule", () => {
  const created = new Date("2026-03-10T10:00:00.000Z");
  const at = (ms: number) => new Date(created.getTime() + ms);

  it("waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h after the 1st…6th failure, 10 h after later ones", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map(
      (n) => (nextAttemptAt(created, n, created)?.getTime() ?? 0) - created.getTime(),
    );
    expect(delays).toEqual(
      [5e3, 300e3, 1800e3, 7200e3, 18_000e3, 36_000e3, 36_000e3].map((d) => Math.min(d, 86_400e3)),
    );
  });

  it("never schedules past 24 h after creation, and gives up at 24 h", () => {
    expect(nextAttemptAt(created, 7, at(20 * 3600e3))).toEqual(at(24 * 3600e3));
    expect(nextAttemptAt(created, 8, at(24 * 3600e3))).toBeNull();
    expect(nextAttemptAt(created, 1, at(25 * 3600e3))).toBeNull();
  });
});

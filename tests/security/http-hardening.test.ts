import { SignalCloseCodes } from "@clinic/contracts";
import { closedWithin, connectSignal, signalUrl } from "@clinic/video-service/testing";
import { decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, busTopology } from "../support/bus.ts";
import { bookNow, endSession, giveConsent, type Started, startSession } from "../support/flows.ts";
import { callFrom } from "../support/from-address.ts";
import { call, type Reply } from "../support/http.ts";
import { people } from "../support/people.ts";
import { type System, startSystem } from "../support/system.ts";

const listedOrigin = "https://app.clinic.test";
const unlistedOrigin = "https://evil.example";
const loginLimit = 5;

/** Headers @fastify/helmet sets (CSP is off for the JSON API, so frames are refused by X-Frame-Options). */
function expectSecurityHeaders(reply: Reply, what: string) {
  const h = (name: string) => reply.headers.get(name);
  expect(h("x-content-type-options"), what).toBe("nosniff");
  const frames = h("x-frame-options") ?? "";
  const csp = h("content-security-policy") ?? "";
  expect(/^(DENY|SAMEORIGIN)$/i.test(frames) || /frame-ancestors/.test(csp), `${what}: frames refused`).toBe(true);
  expect(h("strict-transport-security"), what).toMatch(/max-age=\d+/);
  expect(h("referrer-policy"), what).toBeTruthy();
  expect(h("cross-origin-resource-policy"), what).toBe("same-origin");
  expect(h("cross-origin-opener-policy"), what).toBe("same-origin");
  expect(h("x-permitted-cross-domain-policies"), what).toBe("none");
  expect(h("x-powered-by"), what).toBeNull();
}

/**
 * Transport-level protections of every service and the gateway: security headers on every
 * answer (success, refusal, health), CORS limited to the configured origins, the login
 * rate limit directly and through the gateway (keyed on the real client, TRUST_PROXY), and
 * join tokens useless on the signalling socket once their session ended, for another
 * session, expired, or after their attendee was replaced.
 */
describe(`HTTP hardening (${backend})`, () => {
  const topology = busTopology("hardening");
  let system: System;
  let joinKey: string;

  beforeAll(async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    joinKey = JSON.stringify(await exportJWK(privateKey));
    system = await startSystem({
      bus: await topology.connect(),
      gateway: true,
      env: {
        CORS_ORIGINS: listedOrigin,
        // Auth believes the gateway's X-Forwarded-For (its README: else every client shares
        // the gateway's address); clients below come from 127.0.0.2 and 127.0.0.3.
        TRUST_PROXY: "127.0.0.1",
        LOGIN_RATE_LIMIT_MAX: String(loginLimit),
        // The video service signs join tokens with this key, so the test can make an expired one.
        JOIN_TOKEN_PRIVATE_JWK: joinKey,
      },
    });
  });
  afterAll(async () => {
    await system?.close();
    await topology.cleanup();
  });

  it("sets the security headers on successes, refusals and /health of every service and the gateway", async () => {
    const doctor = await system.token("doctor");
    const { auth, appointments, video, gateway } = system.urls;
    const cases: [string, string, string, string, { token?: string; body?: unknown }][] = [
      ["auth", auth, "GET", "/health", {}],
      ["auth", auth, "GET", "/api/auth/.well-known/jwks.json", {}],
      ["auth", auth, "GET", "/api/auth/me", {}],
      ["auth", auth, "POST", "/api/auth/login", { body: { email: "x" } }],
      ["appointments", appointments, "GET", "/health", {}],
      ["appointments", appointments, "GET", "/api/appointments", { token: doctor }],
      ["appointments", appointments, "GET", "/api/appointments/appt-nope", { token: doctor }],
      ["appointments", appointments, "GET", "/no/such/route", {}],
      ["video", video, "GET", "/health", {}],
      ["video", video, "GET", "/api/video/sessions", { token: doctor }],
      ["video", video, "GET", "/api/video/sessions", {}],
      ["video", video, "GET", "/api/video/sessions/%ED%A0%80", { token: doctor }],
      ["gateway", gateway, "GET", "/health", {}],
      ["gateway", gateway, "GET", "/auth/api/auth/.well-known/jwks.json", {}],
      ["gateway", gateway, "GET", "/appointments/api/appointments", { token: doctor }],
      ["gateway", gateway, "GET", "/video/api/video/sessions", {}],
      ["gateway", gateway, "POST", "/auth/api/auth/login", { body: { email: "x", extra: 1 } }],
      ["gateway", gateway, "GET", "/api/nothing-here", {}],
    ];
    const statuses = new Set<number>();
    for (const [service, base, method, path, options] of cases) {
      const reply = await call(base, method, path, options);
      statuses.add(reply.status);
      expectSecurityHeaders(reply, `${service} ${method} ${path} → ${reply.status}`);
    }
    // Both kinds of answer were seen.
    expect([...statuses].some((s) => s < 300) && [...statuses].some((s) => s >= 400)).toBe(true);
  });

  it("answers CORS only for the configured origins, preflight and simple requests alike", async () => {
    const gateway = system.urls.gateway;
    const preflight = (origin: string) =>
      call(gateway, "OPTIONS", "/appointments/api/appointments", {
        headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
      });
    const simple = (origin: string) => call(gateway, "GET", "/health", { headers: { origin } });

    for (const reply of [await preflight(unlistedOrigin), await simple(unlistedOrigin)]) {
      // Without allow-origin a browser keeps the answer from the page (allow-credentials alone grants nothing).
      expect(reply.headers.get("access-control-allow-origin")).toBeNull();
    }
    const allowed = await preflight(listedOrigin);
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(listedOrigin);
    expect(allowed.headers.get("access-control-allow-methods")).toMatch(/GET/);
    expect((await simple(listedOrigin)).headers.get("access-control-allow-origin")).toBe(listedOrigin);
    // A prefix or suffix of a listed origin is not that origin.
    for (const near of [`${listedOrigin}.evil.example`, "https://clinic.test", "http://app.clinic.test"]) {
      expect((await preflight(near)).headers.get("access-control-allow-origin"), near).toBeNull();
    }
  });

  it("limits wrong-password logins per client, directly and through the gateway, with the error shape", async () => {
    const wrong = (email: string) => ({ email, password: "not-the-password" });
    // Directly to auth.
    const direct: number[] = [];
    for (let i = 0; i < loginLimit + 1; i++)
      direct.push(
        (await call(system.urls.auth, "POST", "/api/auth/login", { body: wrong("doctor@demo.clinic") })).status,
      );
    expect(direct).toEqual([...Array(loginLimit).fill(401), 429]);

    // Through the gateway, client A (127.0.0.2): limited after the same count.
    const viaGateway = (from: string, headers: Record<string, string> = {}) =>
      callFrom(from, system.urls.gateway, "POST", "/auth/api/auth/login", {
        body: wrong("patient@demo.clinic"),
        headers,
      });
    const statuses: number[] = [];
    for (let i = 0; i < loginLimit; i++) statuses.push((await viaGateway("127.0.0.2")).status);
    expect(statuses).toEqual(Array(loginLimit).fill(401));
    const limited = await viaGateway("127.0.0.2");
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: expect.any(String), status: 429, code: expect.any(String) });
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    // A forged X-Forwarded-For does not buy client A a fresh counter...
    expect((await viaGateway("127.0.0.2", { "x-forwarded-for": "203.0.113.9" })).status).toBe(429);
    // ...while another client (127.0.0.3) behind the same gateway is not punished for A.
    expect((await viaGateway("127.0.0.3")).status).toBe(401);
  });

  describe("join tokens on the signalling socket", () => {
    const start = async (doctorId: string) => {
      const doctor = { ...people.doctor, id: doctorId };
      const appointment = await bookNow(system, doctor);
      const token = await system.token(doctor);
      const started = await startSession(system.urls.video, token, appointment.id);
      expect(started.status, started.text).toBe(200);
      return { token, ...(started.body as Started) };
    };
    const closeCodeOf = async (sessionId: string, joinToken: string) => {
      const client = connectSignal(signalUrl(system.urls.video, sessionId, joinToken));
      const { code } = await closedWithin(client, 5000);
      expect(client.messages.map((m) => m.type)).not.toContain("welcome");
      return code;
    };

    it("accepts a live attendee's token (the control)", async () => {
      const a = await start("doc-hard-ok");
      const client = connectSignal(signalUrl(system.urls.video, a.session_id, a.doctor_attendee.join_token));
      await client.next("welcome", 5000);
      client.close();
    });

    it("refuses a token once its session has ended", async () => {
      const a = await start("doc-hard-end");
      await giveConsent(system.urls.video, await system.token("patient"), a.session_id);
      const patientJoin = await call<{ attendee: { join_token: string } }>(
        system.urls.video,
        "POST",
        `/api/video/sessions/${a.session_id}/join`,
        { token: await system.token("patient"), body: {} },
      );
      expect(patientJoin.status, patientJoin.text).toBe(200);
      expect((await endSession(system.urls.video, a.token, a.session_id)).status).toBe(200);
      expect(await closeCodeOf(a.session_id, a.doctor_attendee.join_token)).toBe(SignalCloseCodes.sessionEnded);
      expect(await closeCodeOf(a.session_id, patientJoin.body.attendee.join_token)).toBe(SignalCloseCodes.sessionEnded);
    });

    it("refuses meeting A's token on session B's signalling URL", async () => {
      const a = await start("doc-hard-a");
      const b = await start("doc-hard-b");
      expect(await closeCodeOf(b.session_id, a.doctor_attendee.join_token)).toBe(SignalCloseCodes.forbidden);
    });

    it("refuses an expired token and one signed by another key", async () => {
      const a = await start("doc-hard-exp");
      const claims = decodeJwt(a.doctor_attendee.join_token);
      const resign = async (jwk: string, exp: number) =>
        new SignJWT({ ...claims, exp, iat: exp - 600 })
          .setProtectedHeader({ alg: "EdDSA", typ: "JWT" })
          .sign(await importJWK(JSON.parse(jwk), "EdDSA"));
      const past = Math.floor(Date.now() / 1000) - 60;
      expect(await closeCodeOf(a.session_id, await resign(joinKey, past))).toBe(SignalCloseCodes.invalidToken);
      const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
      const otherKey = JSON.stringify(await exportJWK(privateKey));
      const future = Math.floor(Date.now() / 1000) + 600;
      expect(await closeCodeOf(a.session_id, await resign(otherKey, future))).toBe(SignalCloseCodes.invalidToken);
      // The same claims, freshly signed with the service's key, are accepted: only expiry differed.
      const fresh = connectSignal(signalUrl(system.urls.video, a.session_id, await resign(joinKey, future)));
      await fresh.next("welcome", 5000);
      fresh.close();
    });

    it("refuses the token of a replaced attendee", async () => {
      const a = await start("doc-hard-repl");
      await giveConsent(system.urls.video, await system.token("patient"), a.session_id);
      const join = async () =>
        call<{ attendee: { join_token: string } }>(
          system.urls.video,
          "POST",
          `/api/video/sessions/${a.session_id}/join`,
          {
            token: await system.token("patient"),
            body: {},
          },
        );
      const first = await join();
      const second = await join();
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(await closeCodeOf(a.session_id, first.body.attendee.join_token)).toBe(SignalCloseCodes.replaced);
      const current = connectSignal(signalUrl(system.urls.video, a.session_id, second.body.attendee.join_token));
      await current.next("welcome", 5000);
      current.close();
    });
  });
});

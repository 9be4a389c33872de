import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { InviteTokenResponse, type ResolvedInvite } from "@clinic/contracts";
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from "jose";
import { Value } from "typebox/value";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../test-app.ts";

/**
 * The exchange against a stand-in for the appointments service's resolve endpoint, which
 * answers by token (the real pair is exercised in tests/: invite flow and authorisation matrix).
 */
const tokens = {
  ok: "okOkOkOkOkOkOkOkOkOkOkOkOkOkOkOkOkOkOkOkOkO",
  soon: "soonSoonSoonSoonSoonSoonSoonSoonSoonSoonSoo",
  unknown: "unknownUnknownUnknownUnknownUnknownUnknownU",
  broken: "brokenBrokenBrokenBrokenBrokenBrokenBroken",
  garbled: "garbledGarbledGarbledGarbledGarbledGarbled",
  limited: "limitedLimitedLimitedLimitedLimitedLimited",
} as const;
const gone = ["INVITE_REVOKED", "INVITE_EXPIRED", "CONSULTATION_ENDED", "APPOINTMENT_CANCELLED"] as const;
const goneToken = (code: string) => `${code.replace(/_/g, "")}${"x".repeat(43)}`.slice(0, 43);

const later = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const invite = (expiresAt: string): ResolvedInvite => ({
  invite_id: "0b7c3c52-3d5f-4a8e-9f3c-2b1d4e5f6a7b",
  appointment_id: "appt-123e4567-e89b-12d3-a456-426614174000",
  clinic_id: "clinic-demo",
  patient_id: "pat_john",
  patient_name: "John Doe",
  doctor_id: "doc_ada",
  doctor_name: "Dr. Ada Lovelace",
  start_time: later(5),
  duration_minutes: 30,
  status: "SCHEDULED",
  session_id: null,
  expires_at: expiresAt,
  issued_at: "2026-12-04T09:00:00.000Z",
});

let stub: Server;
let stubUrl: string;
const received: { body: { token?: string }; forwardedFor: string | undefined; path: string | undefined }[] = [];

async function readBody(request: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of request) text += String(chunk);
  return text;
}

let t: TestApp;
let jwks: JSONWebKeySet;

beforeAll(async () => {
  stub = createServer(async (request, response) => {
    const body = JSON.parse(await readBody(request)) as { token?: string };
    received.push({ body, forwardedFor: request.headers["x-forwarded-for"] as string, path: request.url });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(typeof payload === "string" ? payload : JSON.stringify(payload));
    };
    const token = body.token ?? "";
    if (token === tokens.ok) return send(200, invite(later(180)));
    if (token === tokens.soon) return send(200, invite(later(2)));
    if (token === tokens.broken) return send(500, { code: "INTERNAL" });
    if (token === tokens.garbled) return send(200, { invite_id: 1 });
    if (token === tokens.limited) return send(429, { code: "RATE_LIMITED" }, { "retry-after": "17" });
    const code = gone.find((c) => goneToken(c) === token);
    // The stub words its messages differently: the exchange says its own plain sentence.
    if (code) return send(410, { error: `internal detail for ${code}`, status: 410, code });
    return send(404, { error: "not found", status: 404, code: "INVITE_NOT_FOUND" });
  });
  await new Promise<void>((resolve) => stub.listen(0, "127.0.0.1", resolve));
  stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  t = await buildTestApp({ APPOINTMENTS_URL: stubUrl, ACCESS_TOKEN_TTL_SEC: "900" });
  jwks = (await t.app.inject({ url: "/api/auth/.well-known/jwks.json" })).json() as JSONWebKeySet;
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => stub?.close(resolve));
});
beforeEach(() => {
  received.length = 0;
});

const exchange = (inviteToken: unknown, remoteAddress = "10.2.0.1") =>
  t.app.inject({
    method: "POST",
    url: "/api/auth/invite-token",
    payload: { invite_token: inviteToken },
    remoteAddress,
  });

describe("POST /api/auth/invite-token", () => {
  it("exchanges a live invite for an invite-scoped access token of its patient", async () => {
    const res = await exchange(tokens.ok);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = res.json() as InviteTokenResponse;
    expect(Value.Check(InviteTokenResponse, body)).toBe(true);
    expect(body).not.toHaveProperty("refresh_token");
    expect(body.user).toEqual({
      id: "pat_john",
      role: "PATIENT",
      name: "John Doe",
      email: "",
      clinic_id: "clinic-demo",
    });
    expect(body.invite).toMatchObject({
      appointment_id: "appt-123e4567-e89b-12d3-a456-426614174000",
      doctor_name: "Dr. Ada Lovelace",
      status: "SCHEDULED",
      session_id: null,
      duration_minutes: 30,
    });
    // Signed with the service's own keys, verifiable by anyone holding its JWKS.
    const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
      issuer: t.config.JWT_ISSUER,
      audience: t.config.JWT_AUDIENCE,
    });
    expect(payload).toMatchObject({
      sub: "pat_john",
      role: "PATIENT",
      clinic_id: "clinic-demo",
      name: "John Doe",
      scope: "invite",
      appointment_id: "appt-123e4567-e89b-12d3-a456-426614174000",
      invite_id: "0b7c3c52-3d5f-4a8e-9f3c-2b1d4e5f6a7b",
      // When the invite was made (participant control: a removed person rejoins only with a newer invite).
      invite_issued_at: "2026-12-04T09:00:00.000Z",
    });
    // The invite lasts three hours: the access TTL decides.
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
    expect(body.expires_in).toBe(900);
    // The appointments service was asked with the token and the client's address.
    expect(received).toEqual([
      { body: { token: tokens.ok }, forwardedFor: "10.2.0.1", path: "/api/appointments/invites/resolve" },
    ]);
  });

  it("caps the access token's expiry at the invite's", async () => {
    const res = await exchange(tokens.soon);
    expect(res.statusCode).toBe(200);
    const body = res.json() as InviteTokenResponse;
    const claims = decodeJwt(body.access_token);
    expect(claims.exp).toBe(Math.floor(Date.parse(body.invite.expires_at) / 1000));
    expect(body.expires_in).toBeLessThanOrEqual(120);
    expect(body.expires_in).toBe((claims.exp ?? 0) - (claims.iat ?? 0));
  });

  it("gives a token the auth service's own signed-in routes refuse (403 INVITE_SCOPE)", async () => {
    const { access_token } = (await exchange(tokens.ok)).json() as InviteTokenResponse;
    const me = await t.app.inject({ url: "/api/auth/me", headers: { authorization: `Bearer ${access_token}` } });
    expect(me.statusCode).toBe(403);
    expect(me.json()).toMatchObject({ code: "INVITE_SCOPE" });
  });

  it("passes 404 INVITE_NOT_FOUND through", async () => {
    const res = await exchange(tokens.unknown);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: "This invite link is not valid; check that it was copied completely",
      status: 404,
      code: "INVITE_NOT_FOUND",
    });
  });

  it.each(gone)("passes 410 %s through with a plain message of its own", async (code) => {
    const res = await exchange(goneToken(code));
    expect(res.statusCode).toBe(410);
    const body = res.json() as { code: string; error: string };
    expect(body.code).toBe(code);
    expect(body.error).not.toContain("internal detail");
    expect(body.error).toMatch(/^This (invite link|consultation|appointment) /);
  });

  it("answers 503 APPOINTMENTS_UNAVAILABLE when the appointments service fails or answers nonsense", async () => {
    for (const token of [tokens.broken, tokens.garbled]) {
      const res = await exchange(token);
      expect(res.statusCode, token).toBe(503);
      expect(res.json()).toMatchObject({ code: "APPOINTMENTS_UNAVAILABLE" });
    }
  });

  it("passes the appointments service's rate limit on (429 with Retry-After)", async () => {
    const res = await exchange(tokens.limited);
    expect(res.statusCode).toBe(429);
    expect(res.headers["retry-after"]).toBe("17");
  });

  it("answers 400 for a body that cannot hold an invite token, without asking the appointments service", async () => {
    for (const payload of ["short", "has spaces in it, quite a few of them", 42, null]) {
      expect((await exchange(payload)).statusCode, String(payload)).toBe(400);
    }
    const extra = await t.app.inject({
      method: "POST",
      url: "/api/auth/invite-token",
      payload: { invite_token: tokens.ok, role: "ADMIN" },
    });
    expect(extra.statusCode).toBe(400);
    expect(received).toEqual([]);
  });

  it("never logs the invite token nor the access token", async () => {
    const res = await exchange(tokens.ok);
    const { access_token } = res.json() as InviteTokenResponse;
    await exchange(tokens.unknown);
    expect(t.logs.text()).not.toContain(tokens.ok);
    expect(t.logs.text()).not.toContain(tokens.unknown);
    expect(t.logs.text()).not.toContain(access_token);
  });
});

describe("POST /api/auth/invite-token when the appointments service is down", () => {
  let down: TestApp;
  beforeAll(async () => {
    // A port nobody listens on: connection refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    down = await buildTestApp(
      { APPOINTMENTS_URL: `http://127.0.0.1:${port}`, LOGIN_RATE_LIMIT_ADDRESS_MAX: "3" },
      { service: "auth_invite_down" },
    );
  });
  afterAll(() => down?.close());

  it("answers 503 APPOINTMENTS_UNAVAILABLE", async () => {
    const res = await down.app.inject({
      method: "POST",
      url: "/api/auth/invite-token",
      payload: { invite_token: tokens.ok },
      remoteAddress: "10.3.0.1",
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 503, code: "APPOINTMENTS_UNAVAILABLE" });
  });

  it("limits exchanges per client address (LOGIN_RATE_LIMIT_ADDRESS_MAX), others unaffected", async () => {
    const from = (remoteAddress: string) =>
      down.app.inject({
        method: "POST",
        url: "/api/auth/invite-token",
        payload: { invite_token: tokens.ok },
        remoteAddress,
      });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await from("10.4.0.1")).statusCode);
    expect(statuses).toEqual([503, 503, 503, 429]);
    const refused = await from("10.4.0.1");
    expect(refused.json()).toMatchObject({ code: "RATE_LIMITED" });
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect((await from("10.4.0.2")).statusCode).toBe(503);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthUser, authPlugin, createTokenVerifier } from "./auth.ts";
import { type App, createService } from "./server.ts";
import { createTestTokens, testPeople } from "./testing/index.ts";

const patient: AuthUser = testPeople.patient;
const invite = { appointment_id: "appt-123e4567-e89b-12d3-a456-426614174000", invite_id: "inv-1" };

/** Invite-scoped tokens (issue 11): secure by default, only routes that opt in serve them. */
describe("authPlugin and invite-scoped tokens", () => {
  let app: App;
  let tokens: Awaited<ReturnType<typeof createTestTokens>>;

  beforeAll(async () => {
    tokens = await createTestTokens();
    app = await createService({ name: "auth-test", title: "t", logLevel: "silent" });
    await app.register(authPlugin, {
      verify: createTokenVerifier({ jwks: tokens.jwks, issuer: tokens.issuer, audience: tokens.audience }),
    });
    // An arbitrary authenticated route, as every service declares them: no opt-in.
    app.get("/anything", { onRequest: app.authenticate }, async (request) => request.user);
    // And one under a plugin-level hook, as the services' route files do.
    await app.register(async (scoped) => {
      scoped.addHook("onRequest", scoped.authenticate);
      scoped.get("/scoped", async (request) => request.user);
      scoped.get("/scoped-open", { config: { allowInvite: true } }, async (request) => request.user);
    });
    app.get(
      "/opted-in",
      { onRequest: app.authenticate, config: { allowInvite: true } },
      async (request) => request.user,
    );
    await app.ready();
  });
  afterAll(() => app.close());

  const get = async (url: string, token: string) =>
    app.inject({ method: "GET", url, headers: { authorization: `Bearer ${token}` } });
  const inviteToken = (claims: Record<string, unknown> = {}) =>
    tokens.sign(patient, { scope: "invite", ...invite, ...claims });

  it("refuses an invite-scoped token with 403 INVITE_SCOPE on a route that did not opt in", async () => {
    const token = await inviteToken();
    for (const url of ["/anything", "/scoped"]) {
      const res = await get(url, token);
      expect(res.statusCode, url).toBe(403);
      expect(res.json()).toEqual({
        error: "This link only opens its own consultation",
        status: 403,
        code: "INVITE_SCOPE",
      });
    }
  });

  it("serves it where the route says allowInvite, with the invite on request.user", async () => {
    const token = await inviteToken();
    for (const url of ["/opted-in", "/scoped-open"]) {
      const res = await get(url, token);
      expect(res.statusCode, url).toBe(200);
      expect(res.json()).toEqual({ ...patient, invite });
    }
  });

  it("carries when the invite was issued (invite_issued_at), for the participant-control rejoin rule", async () => {
    const issuedAt = "2026-12-04T09:00:00.000Z";
    const res = await get("/opted-in", await inviteToken({ invite_issued_at: issuedAt }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ...patient, invite: { ...invite, issued_at: issuedAt } });
  });

  it("leaves ordinary tokens alone on both kinds of route (no invite on the user)", async () => {
    const token = await tokens.sign(patient);
    for (const url of ["/anything", "/opted-in"]) {
      const res = await get(url, token);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(patient);
    }
  });

  it.each([
    ["an unknown scope", { scope: "admin" }],
    ["an invite scope without its appointment", { appointment_id: undefined }],
    ["an invite scope without its invite id", { invite_id: 7 }],
    ["an invite scope whose issue time is not a time", { invite_issued_at: "yesterday-ish" }],
    ["an invite scope whose issue time is a number", { invite_issued_at: 1764000000 }],
  ])("answers 401 INVALID_TOKEN to %s, even where invites are allowed", async (_name, claims) => {
    const res = await get("/opted-in", await inviteToken(claims));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: "INVALID_TOKEN" });
  });

  it("answers 401 INVALID_TOKEN to an invite scope on a role other than PATIENT", async () => {
    const token = await tokens.sign(testPeople.doctor, { scope: "invite", ...invite });
    expect((await get("/opted-in", token)).statusCode).toBe(401);
  });
});

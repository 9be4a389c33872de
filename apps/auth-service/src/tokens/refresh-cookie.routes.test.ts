import { demoUsers, type TokenResponse } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../test-app.ts";

const { doctor } = demoUsers;
const tokenPattern = "[A-Za-z0-9_-]{43}";
/** What the browser is told to forget: both paths, empty, expired. */
const cleared = (prefix = "") =>
  ["refresh", "logout"].map(
    (endpoint) =>
      `clinic_refresh=; Max-Age=0; Path=${prefix}/api/auth/${endpoint}; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict`,
  );

function setCookies(res: { headers: Record<string, unknown> }): string[] {
  const header = res.headers["set-cookie"];
  return header === undefined ? [] : Array.isArray(header) ? header : [String(header)];
}

/** The refresh token both Set-Cookie headers carry (they must agree). */
function cookieToken(res: { headers: Record<string, unknown> }): string {
  const values = setCookies(res).map((c) => /^clinic_refresh=([^;]*);/.exec(c)?.[1]);
  expect(values).toHaveLength(2);
  expect(values[0]).toBe(values[1]);
  return values[0] ?? "";
}

const signIn = (app: App, headers: Record<string, string> = {}) =>
  app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { email: doctor.email, password: doctor.password, token_delivery: "cookie" },
    headers,
  });
const refreshByCookie = (app: App, token: string) =>
  app.inject({ method: "POST", url: "/api/auth/refresh", headers: { cookie: `clinic_refresh=${token}` } });
const me = (app: App, accessToken: string) =>
  app.inject({ method: "GET", url: "/api/auth/me", headers: { authorization: `Bearer ${accessToken}` } });

describe("refresh token in the clinic_refresh cookie", () => {
  let t: TestApp;
  // A fixed clock: Max-Age is then exact, and the grace window is crossed by moving it.
  let now = new Date();
  const later = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  beforeAll(async () => {
    // Every test signs in afresh: the login limit is not under test here.
    t = await buildTestApp(
      {
        SESSION_MAX_HOURS: "12",
        REFRESH_TOKEN_TTL_SEC: String(7 * 86400),
        LOGIN_RATE_LIMIT_MAX: "100",
        LOGIN_RATE_LIMIT_ADDRESS_MAX: "100",
      },
      { now: () => now },
    );
  });
  afterAll(() => t.close());

  it('login with token_delivery "cookie": two HttpOnly, SameSite=Strict cookies, one per path, and no refresh_token in the JSON', async () => {
    const res = await signIn(t.app);
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = res.json<TokenResponse>();
    expect(body).not.toHaveProperty("refresh_token");
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 900, user: { id: doctor.id } });
    expect((await me(t.app, body.access_token)).statusCode).toBe(200);
    const token = cookieToken(res);
    expect(token).toMatch(new RegExp(`^${tokenPattern}$`));
    // Max-Age: the token's remaining life, here capped by the 12-hour login; plain HTTP: no Secure.
    expect(setCookies(res)).toEqual([
      `clinic_refresh=${token}; Max-Age=43200; Path=/api/auth/refresh; HttpOnly; SameSite=Strict`,
      `clinic_refresh=${token}; Max-Age=43200; Path=/api/auth/logout; HttpOnly; SameSite=Strict`,
    ]);
    expect(JSON.stringify(body)).not.toContain(token);
  });

  it("body delivery (the default, and explicit) is unchanged: the token in the JSON, no cookie", async () => {
    for (const delivery of [undefined, "body"]) {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { email: doctor.email, password: doctor.password, ...(delivery ? { token_delivery: delivery } : {}) },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json<TokenResponse>().refresh_token).toMatch(new RegExp(`^${tokenPattern}$`));
      expect(setCookies(res)).toEqual([]);
    }
    const bad = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { email: doctor.email, password: doctor.password, token_delivery: "header" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("refresh by cookie (no body, or {}): a rotated cookie with the remaining lifetime, no refresh_token in the JSON", async () => {
    const first = cookieToken(await signIn(t.app));
    later(3600_000);
    const res = await refreshByCookie(t.app, first);
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.json<TokenResponse>()).not.toHaveProperty("refresh_token");
    const second = cookieToken(res);
    expect(second).not.toBe(first);
    expect(setCookies(res)).toEqual([
      `clinic_refresh=${second}; Max-Age=39600; Path=/api/auth/refresh; HttpOnly; SameSite=Strict`,
      `clinic_refresh=${second}; Max-Age=39600; Path=/api/auth/logout; HttpOnly; SameSite=Strict`,
    ]);
    // An empty JSON object is the same as no body.
    const third = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: {},
      headers: { cookie: `other=1; clinic_refresh=${second}` },
    });
    expect(third.statusCode).toBe(200);
    expect(cookieToken(third)).not.toBe(second);
  });

  it("no token at all: 401 NO_REFRESH_TOKEN, and the cookies are cleared", async () => {
    for (const res of [
      await t.app.inject({ method: "POST", url: "/api/auth/refresh" }),
      await t.app.inject({ method: "POST", url: "/api/auth/refresh", payload: {} }),
      await t.app.inject({ method: "POST", url: "/api/auth/refresh", headers: { cookie: "clinic_refresh=" } }),
    ]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: "No refresh token was sent; please sign in",
        status: 401,
        code: "NO_REFRESH_TOKEN",
      });
      expect(setCookies(res)).toEqual(cleared());
    }
  });

  it("a cookie that is refused (unknown, revoked, expired login) clears the cookies; a refused body token leaves them alone", async () => {
    const unknown = await refreshByCookie(t.app, "A".repeat(43));
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toMatchObject({ code: "INVALID_REFRESH_TOKEN" });
    expect(setCookies(unknown)).toEqual(cleared());

    const token = cookieToken(await signIn(t.app));
    later(12 * 3600_000);
    const expired = await refreshByCookie(t.app, token);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ code: "SESSION_EXPIRED" });
    expect(setCookies(expired)).toEqual(cleared());

    const byBody = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: { refresh_token: "A".repeat(43) },
    });
    expect(byBody.statusCode).toBe(401);
    expect(setCookies(byBody)).toEqual([]);
  });

  it("logout by cookie ends the login and clears both cookies; without any token it still clears them (204)", async () => {
    const token = cookieToken(await signIn(t.app));
    const res = await t.app.inject({
      method: "POST",
      url: "/api/auth/logout",
      headers: { cookie: `clinic_refresh=${token}` },
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect(setCookies(res)).toEqual(cleared());
    expect((await refreshByCookie(t.app, token)).json()).toMatchObject({ status: 401, code: "INVALID_REFRESH_TOKEN" });

    const nothing = await t.app.inject({ method: "POST", url: "/api/auth/logout" });
    expect(nothing.statusCode).toBe(204);
    expect(setCookies(nothing)).toEqual(cleared());
  });

  describe(`grace window (REFRESH_REUSE_GRACE_S, default 5)`, () => {
    it("two concurrent refreshes of one cookie both succeed, and the login stays live", async () => {
      const token = cookieToken(await signIn(t.app));
      const [a, b] = await Promise.all([refreshByCookie(t.app, token), refreshByCookie(t.app, token)]);
      expect([a?.statusCode, b?.statusCode]).toEqual([200, 200]);
      const [tokenA, tokenB] = [cookieToken(a as never), cookieToken(b as never)];
      expect(new Set([token, tokenA, tokenB]).size).toBe(3);
      // Both tabs go on: each new token rotates in turn, and nothing was revoked.
      expect((await refreshByCookie(t.app, tokenA)).statusCode).toBe(200);
      expect((await refreshByCookie(t.app, tokenB)).statusCode).toBe(200);
    });

    it("within the window a used token gets a sibling; after it, the same token is reuse: the family ends, the newer tokens fail", async () => {
      const first = cookieToken(await signIn(t.app));
      const second = cookieToken(await refreshByCookie(t.app, first));
      later(4_000);
      const sibling = await refreshByCookie(t.app, first);
      expect(sibling.statusCode).toBe(200);
      later(1_000);
      // Five seconds after its use: reuse.
      const reused = await refreshByCookie(t.app, first);
      expect(reused.statusCode).toBe(401);
      expect(reused.json()).toMatchObject({ status: 401, code: "REFRESH_TOKEN_REUSED" });
      expect(setCookies(reused)).toEqual(cleared());
      for (const newer of [second, cookieToken(sibling)]) {
        const res = await refreshByCookie(t.app, newer);
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ code: "INVALID_REFRESH_TOKEN" });
      }
    });

    it("forgives a used token once: a second replay inside the window is reuse and ends the family", async () => {
      const first = cookieToken(await signIn(t.app));
      const second = cookieToken(await refreshByCookie(t.app, first));
      later(1_000);
      const sibling = await refreshByCookie(t.app, first);
      expect(sibling.statusCode).toBe(200);
      later(1_000);
      const again = await refreshByCookie(t.app, first);
      expect(again.json()).toMatchObject({ status: 401, code: "REFRESH_TOKEN_REUSED" });
      for (const newer of [second, cookieToken(sibling)]) {
        expect((await refreshByCookie(t.app, newer)).json()).toMatchObject({ code: "INVALID_REFRESH_TOKEN" });
      }
    });

    it("does not bring back an ended login: a used token within the window after logout is refused", async () => {
      const first = cookieToken(await signIn(t.app));
      const second = cookieToken(await refreshByCookie(t.app, first));
      await t.app.inject({ method: "POST", url: "/api/auth/logout", headers: { cookie: `clinic_refresh=${second}` } });
      const res = await refreshByCookie(t.app, first);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: "INVALID_REFRESH_TOKEN" });
    });

    it("applies to body tokens alike (API clients retrying a refresh)", async () => {
      const login = await t.app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { email: doctor.email, password: doctor.password },
      });
      const first = login.json<TokenResponse>().refresh_token;
      const refresh = () =>
        t.app.inject({ method: "POST", url: "/api/auth/refresh", payload: { refresh_token: first } });
      expect((await refresh()).statusCode).toBe(200);
      expect((await refresh()).statusCode).toBe(200);
      later(5_000);
      expect((await refresh()).json()).toMatchObject({ status: 401, code: "REFRESH_TOKEN_REUSED" });
    });
  });
});

describe("refresh cookie behind a proxy (TRUST_PROXY)", () => {
  const forwarded = { "x-forwarded-proto": "https", "x-forwarded-prefix": "/auth" };
  // A fixed clock: Max-Age exact.
  const now = new Date();

  it("from a trusted proxy: Secure over HTTPS, and the path the browser uses (the stripped prefix in front)", async () => {
    const t = await buildTestApp({ TRUST_PROXY: "127.0.0.1" }, { now: () => now });
    try {
      const res = await signIn(t.app, forwarded);
      expect(res.statusCode).toBe(200);
      const token = cookieToken(res);
      expect(setCookies(res)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^clinic_refresh=${token}; Max-Age=43200; Path=/auth/api/auth/refresh; HttpOnly; Secure; SameSite=Strict$`,
          ),
        ),
        expect.stringMatching(
          new RegExp(
            `^clinic_refresh=${token}; Max-Age=43200; Path=/auth/api/auth/logout; HttpOnly; Secure; SameSite=Strict$`,
          ),
        ),
      ]);
      const rotated = await t.app.inject({
        method: "POST",
        url: "/api/auth/refresh",
        headers: { ...forwarded, cookie: `clinic_refresh=${token}` },
      });
      expect(rotated.statusCode).toBe(200);
      expect(
        setCookies(rotated).every((c) => /; Path=\/auth\/api\/auth\/(refresh|logout); HttpOnly; Secure;/.test(c)),
      ).toBe(true);
      const out = await t.app.inject({
        method: "POST",
        url: "/api/auth/logout",
        headers: { ...forwarded, cookie: `clinic_refresh=${token}` },
      });
      expect(setCookies(out)).toEqual(
        ["refresh", "logout"].map(
          (e) =>
            `clinic_refresh=; Max-Age=0; Path=/auth/api/auth/${e}; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict`,
        ),
      );
      // A prefix that is not a plain path is ignored rather than written into the header.
      const odd = await signIn(t.app, { "x-forwarded-prefix": "/auth; Domain=evil.example" });
      expect(setCookies(odd).map((c) => /Path=([^;]*)/.exec(c)?.[1])).toEqual([
        "/api/auth/refresh",
        "/api/auth/logout",
      ]);
    } finally {
      await t.close();
    }
  });

  it("from anyone else the forwarded headers are ignored: no Secure claimed, no path moved", async () => {
    const t = await buildTestApp({}, { now: () => now });
    try {
      const res = await signIn(t.app, forwarded);
      expect(res.statusCode).toBe(200);
      expect(setCookies(res).map((c) => c.replace(/^clinic_refresh=[^;]*/, "clinic_refresh=T"))).toEqual([
        "clinic_refresh=T; Max-Age=43200; Path=/api/auth/refresh; HttpOnly; SameSite=Strict",
        "clinic_refresh=T; Max-Age=43200; Path=/api/auth/logout; HttpOnly; SameSite=Strict",
      ]);
    } finally {
      await t.close();
    }
  });
});

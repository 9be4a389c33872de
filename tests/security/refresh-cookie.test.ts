import { demoUsers } from "@clinic/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, busTopology } from "../support/bus.ts";
import { call, type Reply } from "../support/http.ts";
import { type System, startSystem } from "../support/system.ts";

const { doctor } = demoUsers;

/** The `clinic_refresh` value both Set-Cookie headers carry, and the headers with it replaced by T. */
function refreshCookies(reply: Reply): { token: string; shapes: string[] } {
  const headers = reply.headers.getSetCookie();
  const tokens = headers.map((c) => /^clinic_refresh=([^;]*);/.exec(c)?.[1]);
  expect(tokens).toHaveLength(2);
  expect(tokens[0]).toBe(tokens[1]);
  return { token: tokens[0] ?? "", shapes: headers.map((c) => c.replace(/^clinic_refresh=[^;]+/, "clinic_refresh=T")) };
}

/**
 * The web app's sign-in as the browser does it, through the gateway (one origin): the refresh
 * cookie's Set-Cookie headers reach the browser intact, with the path the browser requests
 * (`/auth/...`, the prefix the gateway strips, via X-Forwarded-Prefix and TRUST_PROXY), and
 * the Cookie the browser sends back reaches the auth service.
 */
describe(`refresh cookie through the gateway (${backend})`, () => {
  const topology = busTopology("refresh-cookie");
  let system: System;

  beforeAll(async () => {
    system = await startSystem({
      bus: await topology.connect(),
      gateway: true,
      video: false,
      // As `npm start`: the services believe the gateway (127.0.0.1) about the client and the scheme.
      env: { TRUST_PROXY: "127.0.0.1" },
    });
  });
  afterAll(async () => {
    await system?.close();
    await topology.cleanup();
  });

  const signIn = (headers: Record<string, string> = {}) =>
    call(system.urls.gateway, "POST", "/auth/api/auth/login", {
      body: { email: doctor.email, password: doctor.password, token_delivery: "cookie" },
      headers,
    });
  const withCookie = (path: string, token: string, headers: Record<string, string> = {}) =>
    call(system.urls.gateway, "POST", path, { headers: { cookie: `clinic_refresh=${token}`, ...headers } });

  it("login, refresh and logout by cookie, every Set-Cookie and Cookie passing the gateway", async () => {
    const login = await signIn();
    expect(login.status, login.text).toBe(200);
    expect(login.body).not.toHaveProperty("refresh_token");
    const first = refreshCookies(login);
    // Plain HTTP here: no Secure, or the browser would drop the cookie.
    expect(first.shapes).toEqual([
      expect.stringMatching(
        /^clinic_refresh=T; Max-Age=\d+; Path=\/auth\/api\/auth\/refresh; HttpOnly; SameSite=Strict$/,
      ),
      expect.stringMatching(
        /^clinic_refresh=T; Max-Age=\d+; Path=\/auth\/api\/auth\/logout; HttpOnly; SameSite=Strict$/,
      ),
    ]);

    const refreshed = await withCookie("/auth/api/auth/refresh", first.token);
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.body).not.toHaveProperty("refresh_token");
    expect(refreshed.body).toMatchObject({ token_type: "Bearer", user: { id: doctor.id } });
    const second = refreshCookies(refreshed);
    expect(second.token).not.toBe(first.token);
    const me = await call(system.urls.gateway, "GET", "/auth/api/auth/me", {
      token: String(refreshed.body.access_token),
    });
    expect(me.status).toBe(200);

    const out = await withCookie("/auth/api/auth/logout", second.token);
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()).toEqual(
      ["refresh", "logout"].map(
        (e) =>
          `clinic_refresh=; Max-Age=0; Path=/auth/api/auth/${e}; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict`,
      ),
    );
    const after = await withCookie("/auth/api/auth/refresh", second.token);
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ code: "INVALID_REFRESH_TOKEN" });
    expect(after.headers.getSetCookie()).toHaveLength(2);

    const none = await call(system.urls.gateway, "POST", "/auth/api/auth/refresh");
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: "NO_REFRESH_TOKEN" });
    // Neither the gateway nor the service logged a cookie's token.
    const logs = system.logs.text();
    expect(logs.length).toBeGreaterThan(0);
    for (const token of [first.token, second.token]) expect(logs).not.toContain(token);
  });

  it("marks the cookie Secure when a TLS terminator in front of the gateway says the page came over HTTPS", async () => {
    const login = await signIn({ "x-forwarded-proto": "https" });
    expect(login.status, login.text).toBe(200);
    expect(refreshCookies(login).shapes).toEqual([
      expect.stringMatching(/; Path=\/auth\/api\/auth\/refresh; HttpOnly; Secure; SameSite=Strict$/),
      expect.stringMatching(/; Path=\/auth\/api\/auth\/logout; HttpOnly; Secure; SameSite=Strict$/),
    ]);
  });

  it("serves the client configuration through the gateway, cacheable for a minute", async () => {
    const res = await call(system.urls.gateway, "GET", "/auth/api/auth/client-config");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    expect(res.body).toEqual({ idle_logoff_min: 15, session_max_hours: 12, clinic_time_zone: "UTC" });
  });
});

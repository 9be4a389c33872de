import { describe, expect, it, vi } from "vitest";
import { stubNetwork } from "../test/network.ts";
import { doctor } from "../test/render.tsx";
import { refreshRetryDelayMs, videoClient } from "./api-client.ts";
import { ApiError, unwrap } from "./api-error.ts";
import { authTokens } from "./auth-tokens.ts";

const usagePath = "/video/api/video/metrics/usage";
const refreshPath = "/auth/api/auth/refresh";
const signIn = () =>
  authTokens.set({
    access_token: "old-access",
    expires_in: 900,
    user: doctor,
  });
const getUsage = () =>
  unwrap(videoClient.GET("/api/video/metrics/usage", { params: { query: { limit: 50, offset: 0 } } }));
const unauthorized = { status: 401, body: { error: "Token expired", status: 401, code: "UNAUTHORIZED" } };

describe("the one 401 path", () => {
  it("refreshes once, silently, and replays the request with the new token", async () => {
    signIn();
    const network = stubNetwork({
      [`GET ${usagePath}`]: ({ authorization }) =>
        authorization === "Bearer new-access" ? { status: 200, body: { month: "2026-01" } } : unauthorized,
      [`POST ${refreshPath}`]: {
        status: 200,
        body: {
          access_token: "new-access",
          token_type: "Bearer",
          expires_in: 900,
          user: doctor,
        },
      },
    });
    await expect(getUsage()).resolves.toEqual({ month: "2026-01" });
    expect(network.search("POST", refreshPath)).toHaveLength(1);
    // The refresh token is the HttpOnly cookie the browser sends: the script has none to put in a body.
    expect(network.search("POST", refreshPath)[0]?.body).toEqual({});
    expect(authTokens.accessToken()).toBe("new-access");
  });

  it("signs out (back to the login page) when the refresh is refused", async () => {
    signIn();
    stubNetwork({ [`GET ${usagePath}`]: unauthorized, [`POST ${refreshPath}`]: unauthorized });
    await expect(getUsage()).rejects.toMatchObject({ status: 401 });
    expect(authTokens.get()).toBeNull();
    expect(authTokens.lastSignOut()).toBe("expired");
  });

  it("shares one refresh between requests that fail together", async () => {
    signIn();
    const network = stubNetwork({
      [`GET ${usagePath}`]: ({ authorization }) =>
        authorization === "Bearer new-access" ? { status: 200, body: {} } : unauthorized,
      [`POST ${refreshPath}`]: {
        status: 200,
        body: {
          access_token: "new-access",
          token_type: "Bearer",
          expires_in: 900,
          user: doctor,
        },
      },
    });
    await Promise.all([getUsage(), getUsage(), getUsage()]);
    expect(network.search("POST", refreshPath)).toHaveLength(1);
  });
});

/** Fake time on, a second per step (at most a minute), letting the stubbed network answer between steps. */
async function advanceUntil(done: () => boolean) {
  for (let step = 0; step < 60 && !done(); step++) {
    await vi.advanceTimersByTimeAsync(1_000);
    for (let tick = 0; tick < 20; tick++) await new Promise((resolve) => setImmediate(resolve));
  }
  expect(done()).toBe(true);
}

describe("the auth service down (a 503 never signs out)", () => {
  const refreshed = {
    status: 200,
    body: {
      access_token: "new-access",
      token_type: "Bearer",
      expires_in: 900,
      user: doctor,
    },
  };
  const authDown = { status: 503, body: { error: "Database down", status: 503, code: "DATABASE_UNAVAILABLE" } };

  it("passes a service's 503 AUTH_UNAVAILABLE on as an error, without refreshing or signing out", async () => {
    signIn();
    const network = stubNetwork({
      [`GET ${usagePath}`]: { status: 503, body: { error: "Cannot check", status: 503, code: "AUTH_UNAVAILABLE" } },
    });
    await expect(getUsage()).rejects.toMatchObject({ status: 503, code: "AUTH_UNAVAILABLE" });
    expect(network.search("POST", refreshPath)).toHaveLength(0);
    expect(authTokens.accessToken()).toBe("old-access");
  });

  it("keeps the sign-in when a 401's refresh answers 503: the call fails as unavailable", async () => {
    signIn();
    stubNetwork({ [`GET ${usagePath}`]: unauthorized, [`POST ${refreshPath}`]: authDown });
    await expect(getUsage()).rejects.toMatchObject({ status: 503, code: "DATABASE_UNAVAILABLE" });
    expect(authTokens.accessToken()).toBe("old-access");
    expect(authTokens.lastSignOut()).toBeNull();
  });

  it("keeps the sign-in when a 401's refresh gets no answer at all: a connection problem", async () => {
    signIn();
    const stub = stubNetwork({ [`GET ${usagePath}`]: unauthorized });
    vi.stubGlobal("fetch", async (input: Request) => {
      if (new URL(input.url).pathname === refreshPath) throw new TypeError("fetch failed");
      return stub.fetch(input);
    });
    await expect(getUsage()).rejects.toMatchObject({ status: 0, code: "NETWORK_ERROR" });
    expect(authTokens.accessToken()).toBe("old-access");
  });

  it("retries the silent refresh (5 s, 10 s …) while the auth service is down, then carries on", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    let answer: { status: number; body: unknown } = authDown;
    const network = stubNetwork({ [`POST ${refreshPath}`]: () => answer });
    const states: (string | null)[] = [];
    const unsubscribe = authTokens.subscribe((state) => states.push(state?.accessToken ?? null));
    try {
      // Expires in a minute: the silent refresh is due in 5 s.
      authTokens.set({
        access_token: "old-access",
        expires_in: 60,
        user: doctor,
      });
      await advanceUntil(() => network.search("POST", refreshPath).length === 2);
      expect(refreshRetryDelayMs(1)).toBe(5_000);
      answer = refreshed;
      await advanceUntil(() => authTokens.accessToken() === "new-access");
      expect(network.search("POST", refreshPath)).toHaveLength(3);
      expect(states).not.toContain(null);
      expect(authTokens.lastSignOut()).toBeNull();
    } finally {
      unsubscribe();
    }
  });
});

describe("ApiError", () => {
  it("carries status, code, message and session_id from the error body", async () => {
    signIn();
    stubNetwork({
      [`GET ${usagePath}`]: {
        status: 409,
        body: { error: "Session already started", status: 409, code: "SESSION_ALREADY_STARTED", session_id: "sess-1" },
      },
    });
    const error = await getUsage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 409,
      code: "SESSION_ALREADY_STARTED",
      error: "Session already started",
      session_id: "sess-1",
    });
  });

  it("turns an unreachable network into NETWORK_ERROR (status 0)", async () => {
    signIn();
    const failing = async () => {
      throw new TypeError("fetch failed");
    };
    vi.stubGlobal("fetch", failing);
    await expect(getUsage()).rejects.toMatchObject({ status: 0, code: "NETWORK_ERROR" });
  });
});

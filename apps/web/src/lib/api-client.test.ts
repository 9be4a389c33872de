import { describe, expect, it, vi } from "vitest";
import { stubNetwork } from "../test/network.ts";
import { doctor } from "../test/render.tsx";
import { videoClient } from "./api-client.ts";
import { ApiError, unwrap } from "./api-error.ts";
import { authTokens } from "./auth-tokens.ts";

const usagePath = "/video/api/video/metrics/usage";
const refreshPath = "/auth/api/auth/refresh";
const signIn = () =>
  authTokens.set({
    access_token: "old-access",
    token_type: "Bearer",
    expires_in: 900,
    refresh_token: "refresh-1",
    user: doctor,
  });
const getUsage = () => unwrap(videoClient.GET("/api/video/metrics/usage", { params: { query: {} } }));
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
          refresh_token: "refresh-2",
          user: doctor,
        },
      },
    });
    await expect(getUsage()).resolves.toEqual({ month: "2026-01" });
    expect(network.search("POST", refreshPath)).toHaveLength(1);
    expect(network.search("POST", refreshPath)[0]?.body).toEqual({ refresh_token: "refresh-1" });
    expect(authTokens.refreshToken()).toBe("refresh-2");
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
          refresh_token: "refresh-2",
          user: doctor,
        },
      },
    });
    await Promise.all([getUsage(), getUsage(), getUsage()]);
    expect(network.search("POST", refreshPath)).toHaveLength(1);
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

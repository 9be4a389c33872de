import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../../lib/api-error.ts";
import { FakeSocket } from "../../../test/fake-socket.ts";
import { type PresenceHandlers, PresenceSocket } from "./presence-socket.ts";

const last = () => FakeSocket.all[FakeSocket.all.length - 1] as FakeSocket;
const credentials = (token: string) => ({ signaling_url: "/api/video/sessions/sess-1/signal", join_token: token });

function presence(renew: PresenceHandlers["renew"] = vi.fn(async () => credentials("fresh"))) {
  const handlers = {
    onMessage: vi.fn(),
    onOpen: vi.fn(),
    onRetry: vi.fn(),
    onEnd: vi.fn(),
    renew: vi.fn(renew),
  };
  const socket = new PresenceSocket(credentials("first"), handlers);
  socket.open();
  last().open();
  return { socket, handlers };
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", FakeSocket);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("PresenceSocket (the Chime call's attendance socket)", () => {
  it("connects through the gateway with the join token and sends a heartbeat every 10 s, nothing else", async () => {
    const { socket, handlers } = presence();
    expect(last().url).toBe("ws://localhost:3000/video/api/video/sessions/sess-1/signal?token=first");
    expect(handlers.onOpen).toHaveBeenCalledTimes(1);
    expect(socket.connected).toBe(true);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(last().sent).toEqual([{ type: "heartbeat" }, { type: "heartbeat" }, { type: "heartbeat" }]);
    socket.close();
    expect(last().closedBy).toBe(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("a drop reconnects with backoff through a rejoin (1 s, then 2 s), with the fresh token", async () => {
    const { handlers } = presence();
    last().drop(1006);
    expect(handlers.onRetry).toHaveBeenLastCalledWith(1, 1000);
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(handlers.renew).toHaveBeenCalledTimes(1);
    expect(FakeSocket.all).toHaveLength(2);
    expect(last().url).toContain("token=fresh");
    last().drop(1006);
    expect(handlers.onRetry).toHaveBeenLastCalledWith(2, 2000);
    await vi.advanceTimersByTimeAsync(2000);
    last().open();
    // Open again: the count starts over.
    last().drop(4408);
    expect(handlers.onRetry).toHaveBeenLastCalledWith(1, 1000);
    expect(handlers.onEnd).not.toHaveBeenCalled();
  });

  it("4503 retries with the same token, no rejoin per try", async () => {
    const { handlers } = presence();
    last().drop(4503);
    await vi.advanceTimersByTimeAsync(1000);
    expect(handlers.renew).not.toHaveBeenCalled();
    expect(last().url).toContain("token=first");
    expect(FakeSocket.all).toHaveLength(2);
  });

  it.each([
    [4410, "ended"],
    [4409, "replaced"],
    [4411, "removed"],
    [4403, "forbidden"],
  ])("close code %i ends it (%s) and never reconnects", async (code, end) => {
    const { handlers } = presence();
    last().drop(code);
    expect(handlers.onEnd).toHaveBeenCalledWith(end);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(handlers.renew).not.toHaveBeenCalled();
  });

  it("a rejoin refused with PARTICIPANT_REMOVED ends it as removed", async () => {
    const { handlers } = presence(async () => {
      throw new ApiError({ error: "Removed", status: 403, code: "PARTICIPANT_REMOVED" });
    });
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(1000);
    expect(handlers.onEnd).toHaveBeenCalledWith("removed");
  });

  it("a rejoin answering 409 (the session is over) ends it; a network failure tries again", async () => {
    let calls = 0;
    const { handlers } = presence(async () => {
      calls++;
      if (calls === 1) throw new TypeError("Failed to fetch");
      throw new ApiError({ error: "The session has ended", status: 409, code: "SESSION_ALREADY_ENDED" });
    });
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(1000);
    expect(handlers.onEnd).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2000);
    expect(handlers.onEnd).toHaveBeenCalledWith("ended");
    expect(FakeSocket.all).toHaveLength(1);
  });
});

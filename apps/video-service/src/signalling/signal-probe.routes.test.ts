import { SIGNAL_PROBE_PATH, SignalCloseCodes } from "@clinic/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createHarness, type Harness } from "../testing/video-test-harness.ts";

/** What a probe connection saw: its frames and how it closed. */
function probe(base: string, localAddress: string) {
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}${SIGNAL_PROBE_PATH}`, { localAddress });
  const frames: string[] = [];
  ws.on("message", (data) => frames.push(String(data)));
  return new Promise<{ frames: string[]; code: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("probe not closed in time")), 3000);
    ws.on("error", reject);
    ws.on("close", (code) => {
      clearTimeout(timer);
      resolve({ frames, code });
    });
  });
}

describe("GET /api/video/signal-probe (WebSocket): the pre-call check's signalling test", () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await createHarness({ env: { SIGNAL_CONNECTS_PER_MINUTE: "2" } });
    base = await h.listen();
  });
  afterAll(async () => h.close());

  it("sends probe.ok and closes with 1000, without a token and without an audit row", async () => {
    const before = await h.app.video.database.db.selectFrom("audit_log").select("id").execute();
    expect(await probe(base, "127.0.0.20")).toEqual({ frames: ['{"type":"probe.ok"}'], code: 1000 });
    const after = await h.app.video.database.db.selectFrom("audit_log").select("id").execute();
    expect(after).toHaveLength(before.length);
  });

  it("is limited per client address like signalling connects: 1013 past the limit, another address unaffected", async () => {
    const address = "127.0.0.21";
    for (let i = 0; i < 2; i++) expect((await probe(base, address)).code).toBe(1000);
    expect(await probe(base, address)).toEqual({ frames: [], code: SignalCloseCodes.tryAgainLater });
    expect((await probe(base, "127.0.0.22")).code).toBe(1000);
    h.advance(60_000);
    expect((await probe(base, address)).code).toBe(1000);
  });
});

import { describe, expect, it, vi } from "vitest";
import { periodicPass } from "./periodic-pass.ts";

const deferred = () => {
  let resolve!: (n: number) => void;
  const promise = new Promise<number>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe("periodicPass", () => {
  it("never runs two passes at once, and runs once more after a pass that was asked for meanwhile", async () => {
    const gates = [deferred(), deferred()];
    let calls = 0;
    const loop = periodicPass(() => gates[calls++]!.promise, { intervalMs: 60_000, onError: vi.fn() });
    const first = loop.run();
    const second = loop.run(); // while the first runs: joins it, and asks for one more
    expect(second).toBe(first);
    expect(calls).toBe(1);
    gates[0]!.resolve(3);
    expect(await first).toBe(3);
    await vi.waitFor(() => expect(calls).toBe(2));
    gates[1]!.resolve(1);
    await loop.stop();
  });

  it("reports a failed pass and counts it as 0, then keeps working", async () => {
    const onError = vi.fn();
    let fail = true;
    const loop = periodicPass(
      async () => {
        if (fail) throw new Error("broker down");
        return 2;
      },
      { intervalMs: 60_000, onError },
    );
    expect(await loop.run()).toBe(0);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: "broker down" }));
    fail = false;
    expect(await loop.run()).toBe(2);
    await loop.stop();
  });

  it("stop waits for the pass in flight and starts none afterwards", async () => {
    const gate = deferred();
    const pass = vi.fn(() => gate.promise);
    const loop = periodicPass(pass, { intervalMs: 5, onError: vi.fn() });
    loop.start(true);
    void loop.run(); // a follow-up asked for before the stop
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    gate.resolve(1);
    await stopping;
    expect(loop.stopped).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(pass).toHaveBeenCalledTimes(1);
    loop.start(true);
    expect(pass).toHaveBeenCalledTimes(1);
  });
});

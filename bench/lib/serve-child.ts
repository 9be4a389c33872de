import type { ChildReply, ChildRequest } from "./child-protocol.ts";

export interface ChildHandle {
  port: number;
  info?: Record<string, unknown>;
  /** Scenario-specific requests from the parent (seed data, issue a token, ...). */
  calls?: Record<string, (args: Record<string, unknown>) => Promise<unknown>>;
  close(): Promise<void>;
}

const reply = (message: ChildReply) => process.send?.(message);
const errorText = (err: unknown) => (err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err));

/** The child side of `ChildServer`: start on request, answer calls, stop and exit. */
export function serveChild(start: (params: Record<string, unknown>) => Promise<ChildHandle>): void {
  let handle: ChildHandle | undefined;
  // The parent going away must not leave a server behind.
  process.on("disconnect", () => process.exit(0));
  process.on("message", async (raw) => {
    const message = raw as ChildRequest;
    try {
      if (message.type === "start") {
        handle = await start(message.params);
        reply({ type: "ready", port: handle.port, info: handle.info ?? {} });
      } else if (message.type === "gc") {
        const gc = (globalThis as { gc?: () => void }).gc;
        gc?.();
        gc?.();
        const m = process.memoryUsage();
        reply({ type: "memory", rss: m.rss, heapUsed: m.heapUsed });
      } else if (message.type === "call") {
        const fn = handle?.calls?.[message.name];
        if (!fn) throw new Error(`no call named ${message.name}`);
        reply({ type: "result", value: await fn(message.args) });
      } else if (message.type === "stop") {
        await handle?.close();
        process.exit(0);
      }
    } catch (err) {
      reply({ type: "error", message: errorText(err) });
    }
  });
}

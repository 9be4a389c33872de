import type { ClientSignal, ServerSignal } from "@clinic/contracts";
import WebSocket from "ws";

/**
 * A signalling client for tests (the `ws` package): collects every server message and
 * waits for one by type, each wait bounded in time.
 */
export interface SignalClient {
  ws: WebSocket;
  messages: ServerSignal[];
  next<T extends ServerSignal["type"]>(type: T, timeoutMs?: number): Promise<Extract<ServerSignal, { type: T }>>;
  send(message: ClientSignal | Record<string, unknown>): void;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export function signalUrl(base: string, sessionId: string, token: string | undefined): string {
  const query = token === undefined ? "" : `?token=${encodeURIComponent(token)}`;
  return `${base.replace(/^http/, "ws")}/api/video/sessions/${sessionId}/signal${query}`;
}

/** `localAddress`: connect from another loopback address (127.0.0.2 …), as another client would. */
export function connectSignal(url: string, options: { localAddress?: string } = {}): SignalClient {
  const ws = new WebSocket(url, options.localAddress ? { localAddress: options.localAddress } : {});
  const messages: ServerSignal[] = [];
  const waiters: { type: string; resolve: (m: ServerSignal) => void }[] = [];
  const cursor = new Map<string, number>();
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString()) as ServerSignal;
    messages.push(message);
    const index = waiters.findIndex((w) => w.type === message.type);
    if (index >= 0) {
      const [waiter] = waiters.splice(index, 1);
      cursor.set(message.type, messages.length);
      waiter?.resolve(message);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on("error", () => undefined);
  });
  return {
    ws,
    messages,
    next(type, timeoutMs = 3000) {
      // A message of this type already received and not yet consumed is returned at once.
      const from = cursor.get(type) ?? 0;
      const found = messages.slice(from).findIndex((m) => m.type === type);
      if (found >= 0) {
        cursor.set(type, from + found + 1);
        return Promise.resolve(messages[from + found] as never);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          type,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m as never);
          },
        });
      });
    },
    send(message) {
      ws.send(JSON.stringify(message));
    },
    closed,
    close() {
      ws.close();
    },
  };
}

/** Resolves with the close code, or rejects after `timeoutMs`. */
export function closedWithin(client: SignalClient, timeoutMs = 3000): Promise<{ code: number; reason: string }> {
  return Promise.race([
    client.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("not closed in time")), timeoutMs)),
  ]);
}

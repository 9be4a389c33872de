import { vi } from "vitest";

export interface Recorded {
  method: string;
  path: string;
  body: unknown;
  authorization: string | null;
}

type Reply = { status: number; body?: unknown } | ((request: Recorded) => { status: number; body?: unknown });

/**
 * Stubs `fetch` — the network boundary — with answers keyed by "METHOD /path" (path without
 * query). Unknown requests answer 404 with the services' error body, so nothing passes by
 * accident. Every request is recorded for assertions.
 */
export function stubNetwork(routes: Record<string, Reply>) {
  const requests: Recorded[] = [];
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = await request.text();
    const recorded: Recorded = {
      method: request.method,
      path: url.pathname,
      body: text ? JSON.parse(text) : undefined,
      authorization: request.headers.get("authorization"),
    };
    requests.push(recorded);
    const reply = routes[`${request.method} ${url.pathname}`];
    const answer =
      typeof reply === "function"
        ? reply(recorded)
        : (reply ?? { status: 404, body: { error: "Not found", status: 404, code: "NOT_FOUND" } });
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { "content-type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchStub);
  return {
    requests,
    fetch: fetchStub,
    search: (method: string, path: string) => requests.filter((r) => r.method === method && r.path === path),
  };
}

export const errorBody = (status: number, code: string, error: string, extra: Record<string, unknown> = {}) => ({
  status,
  body: { error, status, code, ...extra },
});

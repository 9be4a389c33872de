import { demoUsers } from "@clinic/contracts";

export type DemoPerson = (typeof demoUsers)[keyof typeof demoUsers];

/** The HTTP API through the gateway, as a test sees it (its own tokens, not the browser's). */
export class GatewayApi {
  constructor(private readonly origin: string) {}

  async login(person: DemoPerson): Promise<string> {
    const { access_token } = await this.call<{ access_token: string }>("POST", "/auth/api/auth/login", undefined, {
      email: person.email,
      password: person.password,
    });
    return access_token;
  }

  async call<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.origin}${path}`, {
      method,
      headers: {
        accept: "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }
}

/** Polls `probe` (at most `timeoutMs`, `everyMs` apart) until it returns a value. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 15_000, everyMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

export { demoUsers };

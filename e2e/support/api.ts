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

  /**
   * The doctor turns auto-admit on for the session (the waiting room, issue 12): the patient meets
   * the doctor without waiting for Admit. For tests whose subject is not the waiting room.
   */
  async autoAdmit(sessionId: string, doctorToken: string): Promise<void> {
    await this.call("PUT", `/video/api/video/sessions/${sessionId}/waiting-room`, doctorToken, { auto_admit: true });
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

export { demoUsers };

import { Appointment } from "@clinic/contracts";
import { AppError, unauthorized } from "@clinic/platform";
import { Value } from "typebox/value";
import { AppointmentNotFound, AppointmentsBadResponse, AppointmentsUnavailable, NotYourSession } from "../errors.ts";

/**
 * Reads appointment facts (doctor, patient, clinic, start, duration, status) from the
 * appointments service, the source of truth for who sees whom and when. The caller's bearer
 * token is forwarded so the appointments service applies its own access rules too.
 * One HTTP client: Node's global fetch.
 */
export interface AppointmentsClient {
  get(appointmentId: string, bearerToken: string): Promise<Appointment>;
  /** Reachability, for /health. */
  ping(): Promise<void>;
}

export interface AppointmentsClientOptions {
  baseUrl: string;
  timeoutMs: number;
}

export function createAppointmentsClient(options: AppointmentsClientOptions): AppointmentsClient {
  const base = options.baseUrl.replace(/\/$/, "");
  const call = async (path: string, headers: Record<string, string>): Promise<Response> => {
    try {
      return await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(options.timeoutMs) });
    } catch {
      // Timeout, refused connection, DNS: all mean "not answering now".
      throw new AppointmentsUnavailable();
    }
  };
  return {
    async get(appointmentId, bearerToken) {
      const response = await call(`/api/appointments/${encodeURIComponent(appointmentId)}`, {
        authorization: `Bearer ${bearerToken}`,
        accept: "application/json",
      });
      const body: unknown = await response.json().catch(() => undefined);
      if (response.status === 404) throw new AppointmentNotFound();
      if (response.status === 403) {
        // An invite holder's link was revoked or has expired since it was exchanged: say so.
        const code = (body as { code?: unknown } | undefined)?.code;
        if (code === "INVITE_REVOKED")
          throw new AppError(403, code, "This invite link has been withdrawn by the clinic");
        if (code === "INVITE_EXPIRED") throw new AppError(403, code, "This invite link has expired");
        throw new NotYourSession();
      }
      if (response.status === 401) throw unauthorized("Access token was refused by the appointments service");
      if (response.status >= 500) throw new AppointmentsUnavailable();
      if (!response.ok || !Value.Check(Appointment, body)) throw new AppointmentsBadResponse();
      if (body.id !== appointmentId) throw new AppointmentsBadResponse();
      return body;
    },
    async ping() {
      const response = await call("/health", { accept: "application/json" });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`appointments health answered ${response.status}`);
    },
  };
}

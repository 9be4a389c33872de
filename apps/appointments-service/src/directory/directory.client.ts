import { DirectoryPerson } from "@clinic/contracts";
import { type AuthUser, forbidden, unauthorized } from "@clinic/platform";
import { Value } from "typebox/value";
import { DirectoryUnavailable } from "../errors.ts";

/**
 * The clinic's people as the auth service knows them (`GET /api/auth/directory/{id}`): a
 * booking checks its doctor and patient here, and takes their names from here, never from
 * the request body.
 */
export type { DirectoryPerson };

/** Who is asking: the directory answers for the caller's clinic only, as the caller. */
export interface DirectoryCaller {
  user: AuthUser;
  /** The caller's access token, forwarded so the auth service applies its own rules to them. */
  bearerToken?: string;
}

export interface Directory {
  /** The person with this id in the caller's clinic; undefined when the clinic has nobody by that id. */
  find(id: string, caller: DirectoryCaller): Promise<DirectoryPerson | undefined>;
}

export interface DirectoryClientOptions {
  /** The auth service's base URL (AUTH_URL). */
  baseUrl: string;
  timeoutMs: number;
}

/** The directory over HTTP. One HTTP client: Node's global fetch. */
export function createDirectoryClient(options: DirectoryClientOptions): Directory {
  const base = options.baseUrl.replace(/\/$/, "");
  return {
    async find(id, { bearerToken }) {
      // Only requests carry a token; code without one (a seed) must be given a static directory.
      if (!bearerToken) throw new Error("the directory client needs the caller's bearer token");
      let response: Response;
      try {
        response = await fetch(`${base}/api/auth/directory/${encodeURIComponent(id)}`, {
          headers: { authorization: `Bearer ${bearerToken}`, accept: "application/json" },
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch {
        // Timeout, refused connection, DNS: all mean "not answering now".
        throw new DirectoryUnavailable();
      }
      const body: unknown = await response.json().catch(() => undefined);
      // An id the auth service does not accept cannot name anyone either.
      if (response.status === 404 || response.status === 400) return undefined;
      if (response.status === 401) throw unauthorized("Access token was refused by the auth service");
      if (response.status === 403) throw forbidden("Your account may not look people up in the clinic's directory");
      if (!response.ok || !Value.Check(DirectoryPerson, body) || body.id !== id) throw new DirectoryUnavailable();
      const { role, name, email, clinic_id, active } = body;
      return { id, role, name, email, clinic_id, active };
    },
  };
}

/**
 * A directory held in memory, answering as the auth service does (another clinic's person is
 * nobody): for the demo seed, which books without a request, and for tests that run this
 * service without an auth service.
 */
export function staticDirectory(people: Iterable<Omit<DirectoryPerson, "active"> & { active?: boolean }>): Directory {
  const byKey = new Map<string, DirectoryPerson>();
  for (const { id, role, name, email, clinic_id, active } of people) {
    byKey.set(`${clinic_id}\u0000${id}`, { id, role, name, email, clinic_id, active: active ?? true });
  }
  return {
    async find(id, { user }) {
      return byKey.get(`${user.clinic_id}\u0000${id}`);
    },
  };
}

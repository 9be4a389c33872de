import type { TrustedProxies } from "@clinic/platform";
import type { FastifyReply, FastifyRequest } from "fastify";

export const refreshCookieName = "clinic_refresh";

/**
 * The only two endpoints that need the refresh token. The cookie is set once per path, so
 * the browser sends it nowhere else (not with API calls, not to the other services).
 */
const cookiePaths = ["/api/auth/refresh", "/api/auth/logout"] as const;

/** A path prefix a proxy stripped (`/auth` behind the gateway): plain path segments only. */
const prefixPattern = /^(\/[A-Za-z0-9._~-]+){1,8}$/;

/**
 * The HttpOnly cookie that carries the web app's refresh token (`token_delivery: "cookie"`).
 * SameSite=Strict: no other site can make the browser send it. Secure when the request came
 * over HTTPS: `request.protocol`, which believes X-Forwarded-Proto only from TRUST_PROXY.
 * Behind the gateway the browser's path starts with the prefix the gateway stripped (`/auth`,
 * sent as X-Forwarded-Prefix, like Kong's strip_path): believed from TRUST_PROXY only too, so
 * the cookie's path is the one the browser actually requests.
 */
export function refreshCookie(proxies: TrustedProxies) {
  function paths(request: FastifyRequest): string[] {
    const header = request.headers["x-forwarded-prefix"];
    const trusted = proxies.trusts(request.raw.socket?.remoteAddress);
    const prefix = trusted && typeof header === "string" && prefixPattern.test(header) ? header : "";
    return cookiePaths.map((path) => `${prefix}${path}`);
  }

  const attributes = (request: FastifyRequest) =>
    ({ httpOnly: true, sameSite: "strict", secure: request.protocol === "https" }) as const;

  return {
    /** The token the browser sent, if any. */
    read(request: FastifyRequest): string | undefined {
      return request.cookies[refreshCookieName] || undefined;
    },
    /** Both cookies, living as long as the token does. */
    set(request: FastifyRequest, reply: FastifyReply, token: string, maxAgeSeconds: number): void {
      for (const path of paths(request)) {
        reply.setCookie(refreshCookieName, token, { ...attributes(request), path, maxAge: maxAgeSeconds });
      }
    },
    /** Both cookies removed: after logout, and after any refusal of the cookie's token. */
    clear(request: FastifyRequest, reply: FastifyReply): void {
      for (const path of paths(request)) reply.clearCookie(refreshCookieName, { ...attributes(request), path });
    },
  };
}

export type RefreshCookie = ReturnType<typeof refreshCookie>;

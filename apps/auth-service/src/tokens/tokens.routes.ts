import { createHash } from "node:crypto";
import { ErrorBody, LoginRequest, LogoutRequest, RefreshRequest, TokenResponse } from "@clinic/contracts";
import { type App, AppError, trustedProxies } from "@clinic/platform";
import cookie from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { NoRefreshToken, TooManyLoginAttempts } from "../errors.ts";
import { type RefreshCookie, refreshCookie } from "./refresh-cookie.ts";
import type { IssuedTokens, TokensService } from "./tokens.service.ts";

export interface TokensRoutesOptions {
  tokens: TokensService;
  loginRateLimit: { max: number; maxPerAddress: number; windowSeconds: number };
  /** TRUST_PROXY: whose X-Forwarded-Proto / X-Forwarded-Prefix shape the refresh cookie. */
  trustProxy?: string | undefined;
}

/**
 * Attempts are counted per client address and email, so guessing one person's password is
 * slow while other people at the same clinic (behind one NAT) can still sign in. The key is
 * hashed: the limiter's memory holds no email addresses. A looser per-address limit stops
 * one client from spraying passwords over many emails (and from flushing the limiter's
 * bounded memory to reset a count).
 */
function loginAttemptKey(request: FastifyRequest): string {
  const email = (request.body as { email?: string } | undefined)?.email?.toLowerCase() ?? "";
  return createHash("sha256").update(`${request.ip}\n${email}`).digest("base64url");
}

/** Token responses are credentials: never cached by browsers or proxies (RFC 6749 §5.1). */
const noStore = { "cache-control": "no-store", pragma: "no-cache" };

/**
 * The answer to a login or refresh: the refresh token in the JSON ("body"), or in the cookie
 * and not in the JSON ("cookie": script on the page never sees it).
 */
function sendTokens(
  request: FastifyRequest,
  reply: FastifyReply,
  cookies: RefreshCookie,
  issued: IssuedTokens,
  delivery: "body" | "cookie",
) {
  const { refresh_token, refreshExpiresIn, ...rest } = issued;
  if (delivery === "body") return reply.headers(noStore).send({ ...rest, refresh_token });
  cookies.set(request, reply, refresh_token, refreshExpiresIn);
  return reply.headers(noStore).send(rest);
}

export async function tokensRoutes(
  app: App,
  { tokens, loginRateLimit, trustProxy }: TokensRoutesOptions,
): Promise<void> {
  // Only these routes read or write cookies: registered in their scope, not the whole service's.
  await app.register(cookie);
  const cookies = refreshCookie(trustedProxies(trustProxy));
  // Refresh and logout by cookie may come without a body: validated as `{}`.
  const emptyBodyAsObject = async (request: FastifyRequest) => {
    if (request.body === undefined || request.body === null) request.body = {};
  };
  const timeWindow = loginRateLimit.windowSeconds * 1000;
  const perAddress = app.createRateLimit({
    max: loginRateLimit.maxPerAddress,
    timeWindow,
    keyGenerator: (request) => `login-address:${request.ip}`,
  });

  app.post(
    "/login",
    {
      preHandler: async (request, reply) => {
        const limit = await perAddress(request);
        if (!limit.isAllowed && limit.isExceeded) {
          tokens.recordLoginFailure("RATE_LIMITED");
          reply.header("retry-after", String(limit.ttlInSeconds));
          throw new TooManyLoginAttempts(limit.ttlInSeconds);
        }
      },
      schema: {
        operationId: "login",
        tags: ["tokens"],
        summary: "Sign in with email and password",
        security: [],
        body: LoginRequest,
        response: { 200: TokenResponse, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
      config: {
        rateLimit: {
          max: loginRateLimit.max,
          timeWindow,
          // After validation, so the key can include the email from the parsed body.
          hook: "preHandler",
          keyGenerator: loginAttemptKey,
          errorResponseBuilder: (_request, context) => {
            tokens.recordLoginFailure("RATE_LIMITED");
            return new TooManyLoginAttempts(Math.ceil(context.ttl / 1000));
          },
        },
      },
    },
    async (request, reply) => {
      const issued = await tokens.login(request.body.email, request.body.password);
      return sendTokens(request, reply, cookies, issued, request.body.token_delivery ?? "body");
    },
  );

  app.post(
    "/refresh",
    {
      preValidation: emptyBodyAsObject,
      schema: {
        operationId: "refreshToken",
        tags: ["tokens"],
        summary: "Exchange a refresh token for new tokens (the presented one is used up)",
        description:
          "The token in the body (answered in the body), or no body and the `clinic_refresh` cookie (answered with a " +
          "rotated cookie and no refresh_token in the JSON). Neither: 401 NO_REFRESH_TOKEN. Any 401 to a cookie " +
          "request also clears the cookie.",
        security: [],
        body: RefreshRequest,
        response: { 200: TokenResponse, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const fromBody = request.body.refresh_token;
      if (fromBody !== undefined) return sendTokens(request, reply, cookies, await tokens.refresh(fromBody), "body");
      const fromCookie = cookies.read(request);
      try {
        if (!fromCookie) throw new NoRefreshToken();
        return sendTokens(request, reply, cookies, await tokens.refresh(fromCookie), "cookie");
      } catch (err) {
        // A cookie that no longer signs anyone in is not kept for the next page load to try again.
        if (err instanceof AppError && err.status === 401) cookies.clear(request, reply);
        throw err;
      }
    },
  );

  app.post(
    "/logout",
    {
      preValidation: emptyBodyAsObject,
      schema: {
        operationId: "logout",
        tags: ["tokens"],
        summary: "End the login the refresh token belongs to",
        description: "The token in the body, or the `clinic_refresh` cookie (or both); the cookie is always cleared.",
        security: [],
        body: LogoutRequest,
        response: { 204: Type.Null({ description: "Signed out" }), 400: ErrorBody },
      },
    },
    async (request, reply) => {
      for (const token of new Set([request.body.refresh_token, cookies.read(request)])) {
        if (token) await tokens.logout(token);
      }
      cookies.clear(request, reply);
      return reply.status(204).send(null);
    },
  );
}

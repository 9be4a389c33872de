import { createHash } from "node:crypto";
import { ErrorBody, LoginRequest, LogoutRequest, RefreshRequest, TokenResponse } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { TooManyLoginAttempts } from "../errors.ts";
import type { TokensService } from "./tokens.service.ts";

export interface TokensRoutesOptions {
  tokens: TokensService;
  loginRateLimit: { max: number; maxPerAddress: number; windowSeconds: number };
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

export async function tokensRoutes(app: App, { tokens, loginRateLimit }: TokensRoutesOptions): Promise<void> {
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
      const body = await tokens.login(request.body.email, request.body.password);
      return reply.headers(noStore).send(body);
    },
  );

  app.post(
    "/refresh",
    {
      schema: {
        operationId: "refreshToken",
        tags: ["tokens"],
        summary: "Exchange a refresh token for new tokens (the presented one is used up)",
        security: [],
        body: RefreshRequest,
        response: { 200: TokenResponse, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const body = await tokens.refresh(request.body.refresh_token);
      return reply.headers(noStore).send(body);
    },
  );

  app.post(
    "/logout",
    {
      schema: {
        operationId: "logout",
        tags: ["tokens"],
        summary: "End the login the refresh token belongs to",
        security: [],
        body: LogoutRequest,
        response: { 204: Type.Null({ description: "Signed out" }), 400: ErrorBody },
      },
    },
    async (request, reply) => {
      await tokens.logout(request.body.refresh_token);
      return reply.status(204).send(null);
    },
  );
}

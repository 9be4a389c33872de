import {
  CreatedUser,
  CreateUserRequest,
  DirectoryList,
  DirectoryPerson,
  DirectoryQuery,
  DirectoryUser,
  ErrorBody,
  errorResponses,
  ListUsersQuery,
  PasswordLink,
  SetPasswordRequest,
  UpdateUserRequest,
  User,
  UserList,
  UserParams,
} from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { AuthDatabase } from "../database.ts";
import { TooManyPasswordAttempts, UnknownUser } from "../errors.ts";
import type { Actor } from "./user-access.ts";
import { findUserById, toUser } from "./users.repository.ts";
import type { UsersService } from "./users.service.ts";

export interface UsersRoutesOptions {
  database: AuthDatabase;
  users: UsersService;
  /** Uses of set-password links per client address per window. */
  passwordRateLimit: { max: number; windowSeconds: number };
}

const actor = (request: FastifyRequest): Actor => ({ user: request.user, requestId: request.id });
const people = ["people"];
const directory = ["directory"];
/** Password links are credentials: never cached by browsers or proxies. */
const noStore = { "cache-control": "no-store", pragma: "no-cache" };

export async function usersRoutes(app: App, { database, users, passwordRateLimit }: UsersRoutesOptions): Promise<void> {
  app.get(
    "/me",
    {
      onRequest: app.authenticate,
      schema: {
        operationId: "getCurrentUser",
        tags: ["users"],
        summary: "The signed-in user, as stored now",
        response: { 200: User, 401: ErrorBody },
      },
    },
    async (request) => {
      const row = await findUserById(database.db, request.user.id);
      if (!row) throw new UnknownUser();
      return toUser(row);
    },
  );

  // The booking form's picker, and the appointments service checking a booking (with the
  // caller's token forwarded): the caller's own clinic only.
  app.get(
    "/directory",
    {
      onRequest: app.authenticate,
      schema: {
        operationId: "listDirectory",
        tags: directory,
        summary: "Active people of the caller's clinic, by name (doctors and admins)",
        querystring: DirectoryQuery,
        response: { 200: DirectoryList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => users.directory(actor(request), request.query),
  );

  app.get(
    "/directory/:user_id",
    {
      onRequest: app.authenticate,
      schema: {
        operationId: "getDirectoryPerson",
        tags: directory,
        summary: "One person of the caller's clinic, active or not (doctors and admins)",
        params: UserParams,
        response: { 200: DirectoryPerson, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => users.directoryPerson(actor(request), request.params.user_id),
  );

  app.get(
    "/users",
    {
      onRequest: app.authenticate,
      schema: {
        operationId: "listUsers",
        tags: people,
        summary: "The people of the admin's clinic, by name",
        querystring: ListUsersQuery,
        response: { 200: UserList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => users.list(actor(request), request.query),
  );

  app.post(
    "/users",
    {
      onRequest: app.authenticate,
      schema: {
        operationId: "createUser",
        tags: people,
        summary: "Create a person in the admin's clinic; answers their one-time set-password link",
        body: CreateUserRequest,
        response: { 201: CreatedUser, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .headers(noStore)
        .send(await users.create(actor(request), request.body)),
  );

  app.get(
    "/users/:user_id",
    {
      onRequest: app.authenticate,
      schema: {
        operationId: "getUser",
        tags: people,
        summary: "One person of the admin's clinic",
        params: UserParams,
        response: { 200: DirectoryUser, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => users.get(actor(request), request.params.user_id),
  );

  app.patch(
    "/users/:user_id",
    {
      onRequest: app.authenticate,
      schema: {
        operationId: "updateUser",
        tags: people,
        summary: "Change a person's name, email or role, or deactivate (ending their logins) or reactivate them",
        params: UserParams,
        body: UpdateUserRequest,
        response: { 200: DirectoryUser, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => users.update(actor(request), request.params.user_id, request.body),
  );

  app.post(
    "/users/:user_id/password-link",
    {
      onRequest: app.authenticate,
      schema: {
        operationId: "createPasswordLink",
        tags: people,
        summary: "A new one-time set-password link for the person (their earlier unused links stop working)",
        params: UserParams,
        response: { 201: PasswordLink, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .headers(noStore)
        .send(await users.newPasswordLink(actor(request), request.params.user_id)),
  );

  app.post(
    "/password",
    {
      schema: {
        operationId: "setPassword",
        tags: people,
        summary: "Set a password with a one-time link's token (ends every login of the person)",
        security: [],
        body: SetPasswordRequest,
        response: { 204: Type.Null({ description: "Password set" }), ...errorResponses(400, 429) },
      },
      config: {
        rateLimit: {
          max: passwordRateLimit.max,
          timeWindow: passwordRateLimit.windowSeconds * 1000,
          keyGenerator: (request: FastifyRequest) => `password-address:${request.ip}`,
          errorResponseBuilder: (_request: FastifyRequest, context: { ttl: number }) =>
            new TooManyPasswordAttempts(Math.ceil(context.ttl / 1000)),
        },
      },
    },
    async (request, reply) => {
      await users.setPassword(request.body.token, request.body.password, request.id);
      return reply.status(204).send(null);
    },
  );
}

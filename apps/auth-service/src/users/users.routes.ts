import { ErrorBody, User } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { AuthDatabase } from "../database.ts";
import { UnknownUser } from "../errors.ts";
import { findUserById, toUser } from "./users.repository.ts";

export async function usersRoutes(app: App, { database }: { database: AuthDatabase }): Promise<void> {
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
}

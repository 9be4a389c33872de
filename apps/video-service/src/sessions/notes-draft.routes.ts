import { errorResponses, NotesDraftBody, NotesDraftResponse, SessionIdParams } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import { getNotesDraft, saveNotesDraft } from "./notes-draft.service.ts";
import type { Actor } from "./session-access.ts";
import type { SessionsContext } from "./sessions-context.ts";

const tags = ["sessions"];
const actorOf = (request: FastifyRequest): Actor => ({ user: request.user, requestId: String(request.id) });

/** The doctor's notes draft, saved as they type during and after the call (issue 16). */
export function notesDraftRoutes(ctx: SessionsContext) {
  return async function register(app: App) {
    app.addHook("onRequest", app.authenticate);

    app.get(
      "/sessions/:session_id/notes/draft",
      {
        schema: {
          operationId: "getNotesDraft",
          tags,
          summary: "The doctor's notes draft, or the saved notes when there is none (doctor only)",
          params: SessionIdParams,
          response: { 200: NotesDraftResponse, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => getNotesDraft(ctx, actorOf(request), request.params.session_id),
    );

    app.put(
      "/sessions/:session_id/notes/draft",
      {
        schema: {
          operationId: "saveNotesDraft",
          tags,
          summary: "Save the notes draft while the session is in progress or after it ended (doctor only)",
          description:
            "Replaces the draft whole. The session's `notes` stay the saved ones until `PUT /notes`, which deletes the draft.",
          params: SessionIdParams,
          body: NotesDraftBody,
          response: { 200: NotesDraftResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => saveNotesDraft(ctx, actorOf(request), request.params.session_id, request.body),
    );
  };
}

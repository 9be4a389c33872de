import { errorResponses, FhirDocumentReference, FhirEncounter, fhirJson, SessionIdParams } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { FastifyRequest } from "fastify";
import type { Actor } from "../sessions/session-access.ts";
import type { SessionsContext } from "../sessions/sessions-context.ts";
import { exportEncounter, exportNotesDocument } from "./fhir.service.ts";

const actorOf = (request: FastifyRequest): Actor => ({ user: request.user, requestId: String(request.id) });

/** FHIR R4 exports of completed sessions (the Encounter; the notes as a DocumentReference), as `application/fhir+json`. */
export function fhirRoutes(ctx: SessionsContext) {
  return async function register(app: App) {
    app.addHook("onRequest", app.authenticate);

    app.get(
      "/sessions/:session_id/fhir/Encounter",
      {
        schema: {
          operationId: "getSessionEncounter",
          tags: ["fhir"],
          summary: "The completed session as a FHIR R4 Encounter (doctor of the session or clinic admin)",
          description:
            "No notes. The patient's telehealth consent, when answered, is a contained Consent referenced by an extension. 409 until the session is COMPLETED.",
          params: SessionIdParams,
          response: {
            200: { description: "A FHIR R4 Encounter", content: { [fhirJson]: { schema: FhirEncounter } } },
            ...errorResponses(400, 401, 403, 404, 409),
          },
        },
      },
      async (request, reply) => {
        const encounter = await exportEncounter(ctx, actorOf(request), request.params.session_id);
        // Typed by @medplum/fhirtypes, which says more than the schema: what the schema does not
        // name passes as additional properties.
        return reply.type(`${fhirJson}; charset=utf-8`).send(encounter as unknown as FhirEncounter);
      },
    );

    app.get(
      "/sessions/:session_id/fhir/DocumentReference",
      {
        schema: {
          operationId: "getSessionNotesDocument",
          tags: ["fhir"],
          summary: "The doctor's notes of the completed session as a FHIR R4 DocumentReference (the doctor only)",
          description:
            "A LOINC 11488-4 consult note; the notes are its attachment (text/plain, base64). 409 until the session is COMPLETED, 404 `NOTES_NOT_FOUND` without notes.",
          params: SessionIdParams,
          response: {
            200: {
              description: "A FHIR R4 DocumentReference",
              content: { [fhirJson]: { schema: FhirDocumentReference } },
            },
            ...errorResponses(400, 401, 403, 404, 409),
          },
        },
      },
      async (request, reply) => {
        const document = await exportNotesDocument(ctx, actorOf(request), request.params.session_id);
        return reply.type(`${fhirJson}; charset=utf-8`).send(document as unknown as FhirDocumentReference);
      },
    );
  };
}

import { notesTextPattern } from "@clinic/contracts";
import { AppError } from "@clinic/platform";
import type { FastifyRequest } from "fastify";

/** The schema's own rule (contracts' SessionNotes), so this check and the document never differ. */
const notesText = new RegExp(notesTextPattern, "u");

/**
 * The schema refuses control characters in notes too, but its message quotes the regular
 * expression; this says it in words. Runs before validation, so it looks only at a string.
 */
export async function refuseControlCharacters(request: FastifyRequest): Promise<void> {
  const notes = (request.body as { notes?: unknown } | null | undefined)?.notes;
  if (typeof notes === "string" && !notesText.test(notes)) {
    throw new AppError(
      400,
      "VALIDATION_FAILED",
      "Invalid request body: notes may not contain control characters (line breaks and tabs are fine)",
      { details: [{ instancePath: "/notes", keyword: "pattern" }] },
    );
  }
}

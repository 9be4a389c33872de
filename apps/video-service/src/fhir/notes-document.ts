import type { DocumentReference } from "@medplum/fhirtypes";
import { referenceTo } from "./encounter.ts";

/**
 * The doctor's notes of a completed session as a FHIR R4 DocumentReference
 * (http://hl7.org/fhir/R4/documentreference.html), pure: a LOINC "Consult note" whose content
 * is the notes as UTF-8 text, tied to the session's Encounter. The quality rating is not
 * clinical and is left out.
 */

/** `DocumentReference.identifier.system`: the value is the session id whose notes these are. */
const sessionNotesIdentifierSystem = "urn:clinic-video:session-notes";

export interface NotesFacts {
  session_id: string;
  clinic_id: string;
  doctor_id: string;
  patient_id: string;
  start_time: Date;
  end_time: Date;
  notes: string;
  /** When the notes were last saved (the session's last change). */
  updated_at: Date;
}

export function buildNotesDocument(facts: NotesFacts): DocumentReference {
  return {
    resourceType: "DocumentReference",
    // "sess-<uuid>-notes": 47 characters, inside FHIR's 64.
    id: `${facts.session_id}-notes`,
    identifier: [{ use: "official", system: sessionNotesIdentifierSystem, value: facts.session_id }],
    status: "current",
    docStatus: "final",
    type: { coding: [{ system: "http://loinc.org", code: "11488-4", display: "Consult note" }] },
    subject: referenceTo("Patient", facts.patient_id),
    date: facts.updated_at.toISOString(),
    author: [referenceTo("Practitioner", facts.doctor_id)],
    custodian: referenceTo("Organization", facts.clinic_id),
    content: [
      {
        attachment: {
          contentType: "text/plain; charset=utf-8",
          data: Buffer.from(facts.notes, "utf8").toString("base64"),
          title: "Video consultation notes",
        },
      },
    ],
    context: {
      encounter: [{ reference: `Encounter/${facts.session_id}` }],
      period: { start: facts.start_time.toISOString(), end: facts.end_time.toISOString() },
    },
  };
}

import type { DocumentReference } from "@medplum/fhirtypes";
import { describe, expect, it } from "vitest";
import { fhirErrors, isDefinedCode } from "../testing/fhir-validator.ts";
import { buildNotesDocument, type NotesFacts } from "./notes-document.ts";

const facts: NotesFacts = {
  session_id: "sess-123e4567-e89b-12d3-a456-426614174000",
  clinic_id: "clinic-1",
  doctor_id: "doc-1",
  patient_id: "pat-1",
  start_time: new Date("2026-01-25T14:00:00.000Z"),
  end_time: new Date("2026-01-25T14:30:00.000Z"),
  notes: "Chest pain since Monday.\nECG normal — review in 2 weeks. Ünïcode ok.",
  updated_at: new Date("2026-01-25T14:35:00.000Z"),
};

describe("buildNotesDocument (FHIR R4 DocumentReference)", () => {
  it("is valid per the validator, also with ids that are not FHIR ids", () => {
    expect(fhirErrors(buildNotesDocument(facts))).toEqual([]);
    expect(fhirErrors(buildNotesDocument({ ...facts, patient_id: "pat 1", clinic_id: "Clinic/One" }))).toEqual([]);
  });

  it("carries the notes as UTF-8 text tied to the session's Encounter", () => {
    const document = buildNotesDocument(facts);
    expect(document).toEqual({
      resourceType: "DocumentReference",
      id: `${facts.session_id}-notes`,
      identifier: [{ use: "official", system: "urn:clinic-video:session-notes", value: facts.session_id }],
      status: "current",
      docStatus: "final",
      type: { coding: [{ system: "http://loinc.org", code: "11488-4", display: "Consult note" }] },
      subject: { reference: "Patient/pat-1" },
      date: "2026-01-25T14:35:00.000Z",
      author: [{ reference: "Practitioner/doc-1" }],
      custodian: { reference: "Organization/clinic-1" },
      content: [
        {
          attachment: {
            contentType: "text/plain; charset=utf-8",
            data: expect.any(String),
            title: "Video consultation notes",
          },
        },
      ],
      context: {
        encounter: [{ reference: `Encounter/${facts.session_id}` }],
        period: { start: "2026-01-25T14:00:00.000Z", end: "2026-01-25T14:30:00.000Z" },
      },
    });
    const data = document.content[0]?.attachment.data ?? "";
    expect(Buffer.from(data, "base64").toString("utf8")).toBe(facts.notes);
  });

  it("uses only codes the R4 code systems define, and the validator refuses a broken one", () => {
    const document = buildNotesDocument(facts);
    expect(isDefinedCode("http://hl7.org/fhir/document-reference-status", document.status)).toBe(true);
    expect(isDefinedCode("http://hl7.org/fhir/composition-status", document.docStatus ?? "")).toBe(true);
    const { content: _content, ...noContent } = document;
    expect(fhirErrors(noContent as DocumentReference)).not.toEqual([]);
  });
});

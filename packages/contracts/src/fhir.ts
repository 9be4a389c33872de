import { type Static, Type } from "typebox";

// ---------------------------------------------------------------------------------------
// FHIR R4 exports of the video service (issue 16). The resources themselves are typed with
// @medplum/fhirtypes where they are built; these schemas only describe them in OpenAPI.
// ---------------------------------------------------------------------------------------

/** The media type of FHIR's JSON format (http://hl7.org/fhir/R4/http.html#mime-type). */
export const fhirJson = "application/fhir+json";

const Reference = Type.Object({ reference: Type.Optional(Type.String()) }, { additionalProperties: true });

/** A FHIR R4 Encounter (http://hl7.org/fhir/R4/encounter.html) for a completed session; no notes. */
export const FhirEncounter = Type.Object(
  {
    resourceType: Type.Literal("Encounter"),
    id: Type.String({ description: "The session id" }),
    status: Type.Literal("finished"),
    class: Type.Object({ system: Type.String(), code: Type.Literal("VR"), display: Type.String() }),
    identifier: Type.Array(
      Type.Object({ system: Type.String(), value: Type.String() }, { additionalProperties: true }),
    ),
    subject: Reference,
    participant: Type.Array(Type.Object({}, { additionalProperties: true })),
    appointment: Type.Array(Reference),
    period: Type.Object({ start: Type.String(), end: Type.String() }),
    length: Type.Object({
      value: Type.Number(),
      unit: Type.Literal("min"),
      system: Type.Literal("http://unitsofmeasure.org"),
      code: Type.Literal("min"),
    }),
    serviceProvider: Reference,
    contained: Type.Optional(
      Type.Array(Type.Object({}, { additionalProperties: true }), {
        description: "The telehealth Consent (id `consent`) when the patient answered",
      }),
    ),
    extension: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
  },
  { additionalProperties: true, description: "FHIR R4 Encounter" },
);
export type FhirEncounter = Static<typeof FhirEncounter>;

/** A FHIR R4 DocumentReference (http://hl7.org/fhir/R4/documentreference.html): the doctor's notes as text. */
export const FhirDocumentReference = Type.Object(
  {
    resourceType: Type.Literal("DocumentReference"),
    id: Type.String({ description: "<session id>-notes" }),
    status: Type.Literal("current"),
    content: Type.Array(
      Type.Object(
        {
          attachment: Type.Object(
            {
              contentType: Type.String(),
              data: Type.String({ description: "The notes, UTF-8, base64" }),
            },
            { additionalProperties: true },
          ),
        },
        { additionalProperties: true },
      ),
    ),
    subject: Reference,
    context: Type.Object({}, { additionalProperties: true }),
  },
  { additionalProperties: true, description: "FHIR R4 DocumentReference" },
);
export type FhirDocumentReference = Static<typeof FhirDocumentReference>;

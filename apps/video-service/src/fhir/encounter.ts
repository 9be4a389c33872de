import type {
  Appointment,
  Consent,
  Encounter,
  Extension,
  Organization,
  Patient,
  Practitioner,
  Reference,
} from "@medplum/fhirtypes";

/**
 * A completed session as a FHIR R4 Encounter (http://hl7.org/fhir/R4/encounter.html), pure.
 * The doctor's notes are not an input, so they cannot end up in it. The URIs below are ours
 * (README "FHIR export"); they name things, nothing is served at them.
 */

/** `Encounter.identifier.system`: the value is our session id. */
export const sessionIdentifierSystem = "urn:clinic-video:session-id";
/** The extension on the Encounter that points at the contained telehealth Consent. */
export const telehealthConsentExtension = "urn:clinic-video:fhir:extension:telehealth-consent";
/** `Consent.policy.uri`: the clinic's consent text and its version (0 = the built-in default). */
export const consentTextPolicy = (clinicId: string, version: number) =>
  `urn:clinic-video:consent-text:${encodeURIComponent(clinicId)}:${version}`;
/** Where an id that is not a valid FHIR id is given as a logical identifier instead. */
const idSystems = {
  Patient: "urn:clinic-video:user-id",
  Practitioner: "urn:clinic-video:user-id",
  Organization: "urn:clinic-video:clinic-id",
  Appointment: "urn:clinic-video:appointment-id",
} as const;

const actCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const participationType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
const ucum = "http://unitsofmeasure.org";
interface Referable {
  Patient: Patient;
  Practitioner: Practitioner;
  Organization: Organization;
  Appointment: Appointment;
}
/** FHIR R4 `id`: 1–64 of A–Z, a–z, 0–9, `-` and `.`. */
const fhirId = /^[A-Za-z0-9\-.]{1,64}$/;

export interface EncounterFacts {
  session_id: string;
  appointment_id: string;
  clinic_id: string;
  doctor_id: string;
  patient_id: string;
  start_time: Date;
  end_time: Date;
  /** The doctor's first connect to last leave, when they connected at all (embedded media). */
  doctor_attendance: { from: Date; to: Date } | null;
  /** The patient's latest answer, with the text version they answered. */
  consent: { decision: "GIVEN" | "DECLINED"; text_version: number; decided_at: Date } | null;
}

/**
 * A literal reference, always (`Patient/pat_john`: the record's consumers look the subject up
 * by our ids). An id that is not a valid FHIR id (`_`, `@`, over 64 characters — the demo
 * users' ids have underscores) also carries it as a logical identifier, for a receiver whose
 * server would not accept it as a resource id.
 */
export function referenceTo<T extends keyof Referable>(type: T, id: string): Reference<Referable[T]> {
  const reference = `${type}/${encodeURIComponent(id)}`;
  if (fhirId.test(id)) return { reference };
  return { reference, type, identifier: { system: idSystems[type], value: id } };
}

/** Minutes, two decimals (30 min 30 s → 30.5). */
export function minutesBetween(start: Date, end: Date): number {
  return Math.round((Math.max(0, end.getTime() - start.getTime()) / 60_000) * 100) / 100;
}

export function buildEncounter(facts: EncounterFacts): Encounter {
  const consent = facts.consent ? buildConsent(facts, facts.consent) : undefined;
  const consentLink: Extension[] = consent
    ? [
        {
          url: telehealthConsentExtension,
          valueReference: { reference: `#${consent.id}`, display: "Telehealth consent" },
        },
      ]
    : [];
  return {
    resourceType: "Encounter",
    id: facts.session_id,
    ...(consent ? { contained: [consent], extension: consentLink } : {}),
    identifier: [{ use: "official", system: sessionIdentifierSystem, value: facts.session_id }],
    status: "finished",
    class: { system: actCode, code: "VR", display: "virtual" },
    subject: referenceTo("Patient", facts.patient_id),
    participant: [
      {
        type: [{ coding: [{ system: participationType, code: "PPRF", display: "primary performer" }] }],
        ...(facts.doctor_attendance
          ? {
              period: {
                start: facts.doctor_attendance.from.toISOString(),
                end: facts.doctor_attendance.to.toISOString(),
              },
            }
          : {}),
        individual: referenceTo("Practitioner", facts.doctor_id),
      },
    ],
    appointment: [referenceTo("Appointment", facts.appointment_id)],
    period: { start: facts.start_time.toISOString(), end: facts.end_time.toISOString() },
    length: { value: minutesBetween(facts.start_time, facts.end_time), unit: "min", system: ucum, code: "min" },
    serviceProvider: referenceTo("Organization", facts.clinic_id),
  };
}

/**
 * The patient's answer as an R4 Consent: active when given, rejected when declined; scope
 * treatment (consent to being treated by video), LOINC "Patient Consent" as category, and
 * the clinic's text version as the policy the patient answered.
 */
function buildConsent(facts: EncounterFacts, answer: NonNullable<EncounterFacts["consent"]>): Consent {
  const given = answer.decision === "GIVEN";
  return {
    resourceType: "Consent",
    id: "consent",
    status: given ? "active" : "rejected",
    scope: {
      coding: [
        { system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "treatment", display: "Treatment" },
      ],
    },
    category: [
      {
        coding: [{ system: "http://loinc.org", code: "59284-0", display: "Patient Consent" }],
        text: "Telehealth consent",
      },
    ],
    patient: referenceTo("Patient", facts.patient_id),
    dateTime: answer.decided_at.toISOString(),
    performer: [referenceTo("Patient", facts.patient_id)],
    organization: [referenceTo("Organization", facts.clinic_id)],
    policy: [{ uri: consentTextPolicy(facts.clinic_id, answer.text_version) }],
    provision: { type: given ? "permit" : "deny" },
  };
}

import type { Consent, Encounter } from "@medplum/fhirtypes";
import { describe, expect, it } from "vitest";
import { fhirErrors, isDefinedCode } from "../testing/fhir-validator.ts";
import {
  buildEncounter,
  consentTextPolicy,
  type EncounterFacts,
  minutesBetween,
  referenceTo,
  sessionIdentifierSystem,
  telehealthConsentExtension,
} from "./encounter.ts";

const facts: EncounterFacts = {
  session_id: "sess-123e4567-e89b-12d3-a456-426614174000",
  appointment_id: "appt-123e4567-e89b-12d3-a456-426614174000",
  clinic_id: "clinic-1",
  doctor_id: "doc-1",
  patient_id: "pat-1",
  start_time: new Date("2026-01-25T14:00:00.000Z"),
  end_time: new Date("2026-01-25T14:30:30.000Z"),
  doctor_attendance: { from: new Date("2026-01-25T14:00:05.000Z"), to: new Date("2026-01-25T14:30:30.000Z") },
  consent: null,
};
const given = { decision: "GIVEN" as const, text_version: 3, decided_at: new Date("2026-01-25T13:58:00.000Z") };
const declined = { ...given, decision: "DECLINED" as const };

const consentOf = (encounter: Encounter) => encounter.contained?.[0] as Consent;

describe("buildEncounter (FHIR R4, checked by @medplum/core's validator)", () => {
  it.each([
    ["no consent", facts],
    ["consent given", { ...facts, consent: given }],
    ["consent declined", { ...facts, consent: declined }],
    ["a doctor who never connected", { ...facts, doctor_attendance: null }],
    ["ids that are not FHIR ids", { ...facts, patient_id: "pat_1@clinic", clinic_id: "Clinic One", consent: given }],
    ["the demo clinic's ids", { ...facts, doctor_id: "doc_ada", patient_id: "pat_john", clinic_id: "clinic-demo" }],
  ])("is a valid R4 Encounter with %s", (_name, input) => {
    expect(fhirErrors(buildEncounter(input))).toEqual([]);
  });

  it("refers to the demo users as Patient/<id> and Practitioner/<id>, underscores and all", () => {
    const encounter = buildEncounter({ ...facts, doctor_id: "doc_ada", patient_id: "pat_john", consent: given });
    expect(encounter.subject?.reference).toBe("Patient/pat_john");
    expect(encounter.participant?.[0]?.individual?.reference).toBe("Practitioner/doc_ada");
    expect(consentOf(encounter).patient?.reference).toBe("Patient/pat_john");
  });

  it("maps every field of the session", () => {
    expect(buildEncounter(facts)).toEqual({
      resourceType: "Encounter",
      id: facts.session_id,
      identifier: [{ use: "official", system: "urn:clinic-video:session-id", value: facts.session_id }],
      status: "finished",
      class: { system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "VR", display: "virtual" },
      subject: { reference: "Patient/pat-1" },
      participant: [
        {
          type: [
            {
              coding: [
                {
                  system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                  code: "PPRF",
                  display: "primary performer",
                },
              ],
            },
          ],
          period: { start: "2026-01-25T14:00:05.000Z", end: "2026-01-25T14:30:30.000Z" },
          individual: { reference: "Practitioner/doc-1" },
        },
      ],
      appointment: [{ reference: `Appointment/${facts.appointment_id}` }],
      period: { start: "2026-01-25T14:00:00.000Z", end: "2026-01-25T14:30:30.000Z" },
      length: { value: 30.5, unit: "min", system: "http://unitsofmeasure.org", code: "min" },
      serviceProvider: { reference: "Organization/clinic-1" },
    });
  });

  it("contains the consent as an R4 Consent referenced from the Encounter: active when given", () => {
    const encounter = buildEncounter({ ...facts, consent: given });
    expect(encounter.extension).toEqual([
      { url: telehealthConsentExtension, valueReference: { reference: "#consent", display: "Telehealth consent" } },
    ]);
    expect(consentOf(encounter)).toEqual({
      resourceType: "Consent",
      id: "consent",
      status: "active",
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
      patient: { reference: "Patient/pat-1" },
      dateTime: "2026-01-25T13:58:00.000Z",
      performer: [{ reference: "Patient/pat-1" }],
      organization: [{ reference: "Organization/clinic-1" }],
      policy: [{ uri: "urn:clinic-video:consent-text:clinic-1:3" }],
      provision: { type: "permit" },
    });
  });

  it("records a declined consent as rejected, provision deny", () => {
    const consent = consentOf(buildEncounter({ ...facts, consent: declined }));
    expect(consent).toMatchObject({ status: "rejected", provision: { type: "deny" } });
  });

  it("has neither contained resources nor the extension without a consent", () => {
    const encounter = buildEncounter(facts);
    expect(encounter).not.toHaveProperty("contained");
    expect(encounter).not.toHaveProperty("extension");
  });

  it("uses only codes the R4 code systems define", () => {
    const encounter = buildEncounter({ ...facts, consent: given });
    const consent = consentOf(encounter);
    const rejected = consentOf(buildEncounter({ ...facts, consent: declined }));
    const used: [string | undefined, string | undefined][] = [
      ["http://hl7.org/fhir/encounter-status", encounter.status],
      [encounter.class.system, encounter.class.code],
      [
        encounter.participant?.[0]?.type?.[0]?.coding?.[0]?.system,
        encounter.participant?.[0]?.type?.[0]?.coding?.[0]?.code,
      ],
      ["http://hl7.org/fhir/identifier-use", encounter.identifier?.[0]?.use],
      [consent.scope.coding?.[0]?.system, consent.scope.coding?.[0]?.code],
      ["http://hl7.org/fhir/consent-state-codes", consent.status],
      ["http://hl7.org/fhir/consent-state-codes", rejected.status],
      ["http://hl7.org/fhir/consent-provision-type", consent.provision?.type],
      ["http://hl7.org/fhir/consent-provision-type", rejected.provision?.type],
    ];
    for (const [system, code] of used) expect(isDefinedCode(system ?? "", code ?? ""), `${system}|${code}`).toBe(true);
    // The check itself can fail.
    expect(isDefinedCode("http://hl7.org/fhir/encounter-status", "done")).toBe(false);
  });

  it("the validator refuses broken resources (so a pass above means something)", () => {
    const good = buildEncounter({ ...facts, consent: given });
    const { status: _status, ...noStatus } = good;
    expect(fhirErrors(noStatus as Encounter)).not.toEqual([]);
    expect(fhirErrors({ ...good, class: { code: 7 } } as unknown as Encounter)).not.toEqual([]);
    expect(fhirErrors({ ...good, period: { start: "yesterday" } })).not.toEqual([]);
    expect(fhirErrors({ ...good, notes: "x" } as unknown as Encounter)).not.toEqual([]);
    // A contained Consent without its policy breaks Consent's own invariant ppc-1.
    const { policy: _policy, ...noPolicy } = consentOf(good);
    expect(fhirErrors({ ...good, contained: [noPolicy as Consent] }).join()).toContain("ppc-1");
  });

  it("always refers by Type/<our id>, adding the identifier when the id is not a valid FHIR id", () => {
    expect(referenceTo("Patient", "pat-1")).toEqual({ reference: "Patient/pat-1" });
    expect(referenceTo("Patient", "pat_1@clinic")).toEqual({
      reference: "Patient/pat_1%40clinic",
      type: "Patient",
      identifier: { system: "urn:clinic-video:user-id", value: "pat_1@clinic" },
    });
    expect(referenceTo("Organization", "x".repeat(65))).toMatchObject({
      reference: `Organization/${"x".repeat(65)}`,
      type: "Organization",
    });
    expect(consentTextPolicy("Clinic One/é", 0)).toBe("urn:clinic-video:consent-text:Clinic%20One%2F%C3%A9:0");
    expect(sessionIdentifierSystem).toBe("urn:clinic-video:session-id");
  });

  it("gives the length in minutes with two decimals", () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 25, 14) + s * 1000);
    expect(minutesBetween(at(0), at(1800))).toBe(30);
    expect(minutesBetween(at(0), at(90))).toBe(1.5);
    expect(minutesBetween(at(0), at(20))).toBe(0.33);
    expect(minutesBetween(at(10), at(0))).toBe(0);
  });
});

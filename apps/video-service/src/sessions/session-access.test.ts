import type { AuthUser } from "@clinic/platform";
import { describe, expect, it } from "vitest";
import { decide } from "./session-access.ts";

const facts = {
  session_id: "sess-1",
  appointment_id: "appt-1",
  doctor_id: "doc-1",
  patient_id: "pat-1",
  clinic_id: "clinic-a",
};
const user = (role: AuthUser["role"], id: string, clinic_id = "clinic-a"): AuthUser => ({
  id,
  role,
  clinic_id,
  name: "x",
  email: "x@x.test",
});

describe("who may do what to a session", () => {
  it.each([
    [
      "the doctor",
      user("DOCTOR", "doc-1"),
      {
        read: "full",
        join: "full",
        start: "full",
        end: "full",
        updateNotes: "full",
        readNotesDraft: "full",
        saveNotesDraft: "full",
      },
    ],
    [
      "the patient",
      user("PATIENT", "pat-1"),
      {
        read: "redacted",
        join: "redacted",
        start: null,
        end: null,
        updateNotes: null,
        readNotesDraft: null,
        saveNotesDraft: null,
      },
    ],
    [
      "an admin of the clinic",
      user("ADMIN", "adm"),
      {
        read: "redacted",
        join: null,
        start: null,
        end: null,
        updateNotes: null,
        readNotesDraft: null,
        saveNotesDraft: null,
      },
    ],
    [
      "another doctor",
      user("DOCTOR", "doc-2"),
      { read: null, join: null, start: null, end: null, updateNotes: null, readNotesDraft: null, saveNotesDraft: null },
    ],
    [
      "the doctor's id in another clinic",
      user("DOCTOR", "doc-1", "clinic-b"),
      { read: null, join: null, start: null, end: null, updateNotes: null, readNotesDraft: null, saveNotesDraft: null },
    ],
    [
      "the patient's id in another clinic",
      user("PATIENT", "pat-1", "clinic-b"),
      { read: null, join: null, start: null, end: null, updateNotes: null, readNotesDraft: null, saveNotesDraft: null },
    ],
    [
      "an admin of another clinic",
      user("ADMIN", "adm", "clinic-b"),
      { read: null, join: null, start: null, end: null, updateNotes: null, readNotesDraft: null, saveNotesDraft: null },
    ],
  ] as const)("%s", (_who, caller, expected) => {
    for (const [op, view] of Object.entries(expected)) {
      expect(decide(caller, op as keyof typeof expected, facts), op).toBe(view);
    }
  });

  it("keeps lists and usage from patients only", () => {
    expect(decide(user("PATIENT", "pat-1"), "list")).toBeNull();
    expect(decide(user("PATIENT", "pat-1"), "readUsage")).toBeNull();
    expect(decide(user("DOCTOR", "doc-1"), "list")).toBe("full");
    expect(decide(user("ADMIN", "adm"), "readUsage")).toBe("full");
  });

  // Telehealth consent and the FHIR export (issue 16).
  it.each([
    ["the doctor", user("DOCTOR", "doc-1"), { recordConsent: null, exportEncounter: "full", exportNotes: "full" }],
    ["the patient", user("PATIENT", "pat-1"), { recordConsent: "redacted", exportEncounter: null, exportNotes: null }],
    [
      "an admin of the clinic",
      user("ADMIN", "adm"),
      { recordConsent: null, exportEncounter: "redacted", exportNotes: null },
    ],
    ["another doctor", user("DOCTOR", "doc-2"), { recordConsent: null, exportEncounter: null, exportNotes: null }],
    ["another patient", user("PATIENT", "pat-2"), { recordConsent: null, exportEncounter: null, exportNotes: null }],
    [
      "the patient's id in another clinic",
      user("PATIENT", "pat-1", "clinic-b"),
      { recordConsent: null, exportEncounter: null, exportNotes: null },
    ],
    [
      "the doctor's id in another clinic",
      user("DOCTOR", "doc-1", "clinic-b"),
      { recordConsent: null, exportEncounter: null, exportNotes: null },
    ],
    [
      "an admin of another clinic",
      user("ADMIN", "adm", "clinic-b"),
      { recordConsent: null, exportEncounter: null, exportNotes: null },
    ],
  ] as const)("consent and FHIR export: %s", (_who, caller, expected) => {
    for (const [op, view] of Object.entries(expected)) {
      expect(decide(caller, op as keyof typeof expected, facts), op).toBe(view);
    }
  });

  it("lets everyone read their clinic's consent text and only admins change it", () => {
    for (const role of ["DOCTOR", "PATIENT", "ADMIN"] as const) {
      expect(decide(user(role, "x"), "readConsentText")).toBe("full");
      expect(decide(user(role, "x"), "updateConsentText")).toBe(role === "ADMIN" ? "full" : null);
    }
  });
});

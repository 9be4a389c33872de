import type { AuthUser } from "@clinic/platform";
import { describe, expect, it } from "vitest";
import { decide, type SessionOperation } from "./session-access.ts";

const facts = {
  session_id: "sess-1",
  appointment_id: "appt-1",
  doctor_id: "doc-1",
  patient_id: "pat-1",
  clinic_id: "clinic-a",
};
const holder = (appointmentId: string, id = "pat-1", clinic_id = "clinic-a"): AuthUser => ({
  id,
  role: "PATIENT",
  clinic_id,
  name: "x",
  email: "",
  invite: { appointment_id: appointmentId, invite_id: "inv-1" },
});
const operations: SessionOperation[] = [
  "list",
  "read",
  "start",
  "join",
  "end",
  "updateNotes",
  "readNotesDraft",
  "saveNotesDraft",
  "readUsage",
  "readConsentText",
  "updateConsentText",
  "recordConsent",
  "exportEncounter",
  "exportNotes",
  "reportCallQuality",
];

/** Invite holders (issue 11): the patient's call screen of their own appointment, nothing more. */
describe("what an invite holder may do to a session", () => {
  it("reads, consents to and joins the session of its own appointment, as its patient", () => {
    const allowed = Object.fromEntries(operations.map((op) => [op, decide(holder("appt-1"), op, facts)]));
    expect(allowed).toEqual({
      list: null,
      read: "redacted",
      start: null,
      join: "redacted",
      end: null,
      updateNotes: null,
      readNotesDraft: null,
      saveNotesDraft: null,
      readUsage: null,
      readConsentText: "full",
      updateConsentText: null,
      recordConsent: "redacted",
      exportEncounter: null,
      exportNotes: null,
      reportCallQuality: "redacted",
    });
  });

  it("is refused every session operation with an invite of another appointment, though it is the same patient", () => {
    for (const op of operations.filter((o) => o !== "readConsentText")) {
      expect(decide(holder("appt-2"), op, facts), op).toBeNull();
    }
  });

  it("still needs to be the appointment's patient in its clinic (the patient rules apply too)", () => {
    expect(decide(holder("appt-1", "pat-2"), "join", facts)).toBeNull();
    expect(decide(holder("appt-1", "pat-1", "clinic-b"), "read", facts)).toBeNull();
  });
});

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

describe("who may do what to a session (design.md §2)", () => {
  it.each([
    [
      "the doctor",
      user("DOCTOR", "doc-1"),
      { read: "full", join: "full", start: "full", end: "full", updateNotes: "full" },
    ],
    [
      "the patient",
      user("PATIENT", "pat-1"),
      { read: "redacted", join: "redacted", start: null, end: null, updateNotes: null },
    ],
    [
      "an admin of the clinic",
      user("ADMIN", "adm"),
      { read: "redacted", join: null, start: null, end: null, updateNotes: null },
    ],
    ["another doctor", user("DOCTOR", "doc-2"), { read: null, join: null, start: null, end: null, updateNotes: null }],
    [
      "the doctor's id in another clinic",
      user("DOCTOR", "doc-1", "clinic-b"),
      { read: null, join: null, start: null, end: null, updateNotes: null },
    ],
    [
      "the patient's id in another clinic",
      user("PATIENT", "pat-1", "clinic-b"),
      { read: null, join: null, start: null, end: null, updateNotes: null },
    ],
    [
      "an admin of another clinic",
      user("ADMIN", "adm", "clinic-b"),
      { read: null, join: null, start: null, end: null, updateNotes: null },
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
});

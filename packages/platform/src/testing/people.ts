import type { AuthUser } from "../auth.ts";

/**
 * The one list of test users, shared by every harness and suite: two clinics, two doctors and
 * two patients in the first, an admin of each. Their names and emails are distinctive on purpose:
 * log-hygiene and refusal tests look for them where they must never appear.
 */
export const testPeople = {
  doctor: { id: "doc-ada", role: "DOCTOR", clinic_id: "clinic-1", name: "Dr. Ada Quill", email: "ada@clinic1.test" },
  otherDoctor: {
    id: "doc-bob",
    role: "DOCTOR",
    clinic_id: "clinic-1",
    name: "Dr. Bob Marlow",
    email: "bob@clinic1.test",
  },
  patient: { id: "pat-zed", role: "PATIENT", clinic_id: "clinic-1", name: "Zedekiah Plumtree", email: "zed@mail.test" },
  otherPatient: {
    id: "pat-yve",
    role: "PATIENT",
    clinic_id: "clinic-1",
    name: "Yvette Quarrington",
    email: "yve@mail.test",
  },
  admin: { id: "adm-1", role: "ADMIN", clinic_id: "clinic-1", name: "Admin Uno", email: "admin@clinic1.test" },
  // The same doctor id in another clinic: ids are only unique within a clinic.
  otherClinicDoctor: {
    id: "doc-ada",
    role: "DOCTOR",
    clinic_id: "clinic-2",
    name: "Dr. Other Clinic",
    email: "other@clinic2.test",
  },
  otherClinicAdmin: {
    id: "adm-2",
    role: "ADMIN",
    clinic_id: "clinic-2",
    name: "Admin Dos",
    email: "admin@clinic2.test",
  },
} satisfies Record<string, AuthUser>;
export type TestPerson = keyof typeof testPeople;

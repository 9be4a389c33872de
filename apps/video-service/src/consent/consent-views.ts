import type { ConsentText, SessionConsent } from "@clinic/contracts";
import { iso } from "../tables.ts";
import type { ConsentAnswerRow, ConsentTextRow } from "./consent.repository.ts";
import { defaultConsentText } from "./default-consent-text.ts";

/** Rows → response shapes; a clinic without a text of its own reads the default, version 0. */
export function toConsentText(clinicId: string, row: ConsentTextRow | undefined, required: boolean): ConsentText {
  if (!row) return { clinic_id: clinicId, version: 0, text: defaultConsentText, updated_at: null, required };
  return { clinic_id: row.clinic_id, version: row.version, text: row.text, updated_at: iso(row.created_at), required };
}

export function toSessionConsent(row: ConsentAnswerRow | undefined): SessionConsent | null {
  if (!row) return null;
  return { decision: row.decision, text_version: row.text_version, decided_at: iso(row.decided_at) };
}

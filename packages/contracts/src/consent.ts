import { type Static, Type } from "typebox";
import { ClinicId, SessionId, Timestamp } from "./common.ts";

// ---------------------------------------------------------------------------------------
// Telehealth consent (issue 16): the clinic's consent text, versioned, and the patient's
// answer per session. Version 0 is the built-in default text of a clinic that set none.
// ---------------------------------------------------------------------------------------

export const ConsentDecision = Type.Union([Type.Literal("GIVEN"), Type.Literal("DECLINED")]);
export type ConsentDecision = Static<typeof ConsentDecision>;

/** 0 = the built-in default text; a clinic's own texts are 1, 2, … (an int4 in the database). */
export const ConsentTextVersion = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });

export const ConsentText = Type.Object({
  clinic_id: ClinicId,
  version: ConsentTextVersion,
  text: Type.String(),
  updated_at: Type.Union([Timestamp, Type.Null()], { description: "null for the built-in default (version 0)" }),
  required: Type.Boolean({
    description:
      "Whether a patient must answer before joining (false when the service runs with TELEHEALTH_CONSENT=off)",
  }),
});
export type ConsentText = Static<typeof ConsentText>;

/**
 * 20–5000 characters, no control characters but newline and tab (C0, DEL and C1 refused;
 * NUL could not even be stored).
 */
export const UpdateConsentTextBody = Type.Object(
  {
    text: Type.String({
      minLength: 20,
      maxLength: 5000,
      pattern: "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]{20,5000}$",
      description: "The consent text patients read; newlines and tabs allowed, no other control characters",
    }),
  },
  { additionalProperties: false },
);
export type UpdateConsentTextBody = Static<typeof UpdateConsentTextBody>;

export const RecordConsentBody = Type.Object(
  {
    decision: ConsentDecision,
    text_version: Type.Integer({
      minimum: 0,
      maximum: 2_147_483_647,
      description: "The version of the consent text the patient was shown (GET /consent-text)",
    }),
  },
  { additionalProperties: false },
);
export type RecordConsentBody = Static<typeof RecordConsentBody>;

/** The latest answer of a session, as session details show it to the doctor, patient and admin. */
export const SessionConsent = Type.Object({
  decision: ConsentDecision,
  text_version: ConsentTextVersion,
  decided_at: Timestamp,
});
export type SessionConsent = Static<typeof SessionConsent>;

export const RecordConsentResponse = Type.Object({
  session_id: SessionId,
  ...SessionConsent.properties,
});
export type RecordConsentResponse = Static<typeof RecordConsentResponse>;

export const NullableSessionConsent = Type.Union([SessionConsent, Type.Null()], {
  description: "The patient's latest telehealth consent answer; null while none was given",
});

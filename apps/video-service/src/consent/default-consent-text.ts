/**
 * The consent text of a clinic that has not set its own (version 0). Plain language, no
 * jurisdiction's legal terms: a clinic bound by specific rules replaces it with
 * `PUT /api/video/consent-text`. The README quotes it; keep the two the same.
 */
export const defaultConsentText = `Consent to a video consultation

Your consultation with the doctor will take place by live video instead of in person. Video and sound travel encrypted between you and the doctor and are not recorded. The doctor keeps notes in your medical record, as after any visit.

A video consultation has limits: the doctor cannot examine you physically, and a poor connection can interrupt it. If the doctor finds that you need to be seen in person, the clinic will offer you an appointment. In an emergency, call your local emergency number instead.

You may decline: the clinic will then offer you an in-person appointment. You can leave the video consultation at any time.

Do you agree to have this consultation by video?`;

import { type TString, Type } from "typebox";

// ---------------------------------------------------------------------------------------
// Text that people type. Control characters are never typed; PostgreSQL cannot store NUL
// (the insert fails, and used to answer 500), and the others end up in logs, CSV exports
// and FHIR documents. Every free-text request field uses one of these, so a control
// character is a 400 (VALIDATION_FAILED) before any code runs. "Control" here means C0
// (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F).
// ---------------------------------------------------------------------------------------

const controls = "\\u0000-\\u001F\\u007F-\\u009F";

/** Single-line text (names, device descriptions, URLs, ids): no control characters at all. */
export const singleLineTextPattern = `^[^${controls}]*$`;

/** Multi-line text (notes, consent text): tab, line feed and carriage return allowed, no other control character. */
export const multiLineTextPattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/** Single-line text with at least one visible character (a name cannot be blank). */
export const nonBlankSingleLineTextPattern = `^[^\\S${controls}]*[^\\s${controls}][^${controls}]*$`;

/**
 * The refusals in words, keyed by pattern: the services' error body says these instead of
 * quoting the regular expression (`Invalid request body: notes may not contain …`).
 */
export const textPatternWords: Record<string, string> = {
  [singleLineTextPattern]: "may not contain control characters",
  [multiLineTextPattern]: "may not contain control characters (line breaks and tabs are fine)",
  [nonBlankSingleLineTextPattern]: "must contain a visible character and no control characters",
};

type TextOptions = {
  minLength?: number;
  maxLength: number;
  description?: string;
  examples?: string[];
  /** OpenAPI: a field kept for older clients only. */
  deprecated?: boolean;
};

const described = (options: TextOptions, rule: string) => ({
  ...options,
  description: options.description ? `${options.description}; ${rule}` : rule,
});

/** A single-line free-text field (a maximum length is required: nothing unbounded reaches a column). */
export const SingleLineText = (options: TextOptions): TString =>
  Type.String({ ...described(options, "no control characters"), pattern: singleLineTextPattern });

/** A single-line field that must not be blank (names). */
export const NonBlankSingleLineText = (options: TextOptions): TString =>
  Type.String({
    ...described(options, "not blank, no control characters"),
    pattern: nonBlankSingleLineTextPattern,
  });

/** A multi-line free-text field (notes). */
export const MultiLineText = (options: TextOptions): TString =>
  Type.String({
    ...described(options, "no control characters except tab and line breaks"),
    pattern: multiLineTextPattern,
  });

export const NOTES_MAX = 500;

/**
 * The server refuses control characters other than tab and line breaks (a 400); they are
 * never typed, but a paste can bring some (e.g. a vertical tab from a word processor), and
 * one would make every later save fail.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** What the notes field keeps of typed or pasted text: no control characters, at most 500. */
export const cleanNotes = (text: string) => text.replace(controlCharacters, "").slice(0, NOTES_MAX);

export interface NotesValue {
  notes: string;
  /** 1–5, or null: not rated (the rating is optional). */
  rating: number | null;
}

export const sameNotes = (a: NotesValue | null, b: NotesValue | null) =>
  a !== null && b !== null && a.notes === b.notes && a.rating === b.rating;

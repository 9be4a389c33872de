import { type Static, Type } from "typebox";
import { singleLineTextPattern } from "./text.ts";

/** `{error, status, code}` — the body of every 4xx/5xx. */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: "A sentence a person can read" }),
    status: Type.Integer({ description: "The HTTP status, repeated" }),
    code: Type.String({ description: "A stable machine code to branch on" }),
    details: Type.Optional(Type.Unknown()),
  },
  { $id: "ErrorBody", additionalProperties: true },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const Role = Type.Union([Type.Literal("DOCTOR"), Type.Literal("PATIENT"), Type.Literal("ADMIN")]);
export type Role = Static<typeof Role>;

const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** Ids look like the guide's examples: a readable prefix and a UUID. */
export const AppointmentId = Type.String({
  pattern: `^appt-${uuid}$`,
  description: "appt-<uuid>",
  examples: ["appt-123e4567-e89b-12d3-a456-426614174000"],
});
export const SessionId = Type.String({
  pattern: `^sess-${uuid}$`,
  description: "sess-<uuid>",
  examples: ["sess-123e4567-e89b-12d3-a456-426614174000"],
});
// Ids come from tokens and from booking requests: no control characters (the rule of
// text.ts, without its description on every id of every answer).
export const UserId = Type.String({ minLength: 1, maxLength: 64, pattern: singleLineTextPattern });
export const ClinicId = Type.String({ minLength: 1, maxLength: 64, pattern: singleLineTextPattern });
export const Timestamp = Type.String({ format: "date-time" });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

/** Standard refusal responses, for route schemas. */
export const errorResponses = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ErrorBody]));

export const idPattern = { uuid, appointment: new RegExp(`^appt-${uuid}$`), session: new RegExp(`^sess-${uuid}$`) };

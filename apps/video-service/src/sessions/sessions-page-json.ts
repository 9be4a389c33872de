import type { ListSessionsResponse, SessionSummary } from "@clinic/contracts";

/**
 * `GET /sessions`'s answer written straight from the page, the same bytes as the route's
 * compiled schema serializer (fast-json-stringify over the contract's `ListSessionsResponse`):
 * the contract's fields only, in its order; strings as `JSON.stringify` writes them, which is
 * what fast-json-stringify's string writer produces for every string. The difference is the
 * cost: fast-json-stringify escapes each string character by character in JavaScript (the five
 * times, the ids, the name: ~240 strings a page) and checks `status` with ajv, branch by branch;
 * here the strings are written as they are and one regular-expression test over all of them
 * tells whether any needs escaping (then each is written by `JSON.stringify`), and `status` is a
 * set lookup (bench/README.md Finding 32).
 *
 * Only the values the service produces are written here: integers, strings, `null` where the
 * contract allows it, a known status, plain objects. Anything else (a missing or non-string
 * field, a non-integer number, an unknown status, a `toJSON`) returns `undefined`, and the
 * caller serializes the page with the route's compiled serializer, which answers or refuses it
 * as before.
 */
export function sessionsPageJson(page: ListSessionsResponse): string | undefined {
  if (hasToJson(page)) return undefined;
  const { total, limit, offset, sessions } = page;
  if (!Number.isInteger(total) || !Number.isInteger(limit) || !Number.isInteger(offset)) return undefined;
  if (!Array.isArray(sessions)) return undefined;
  const head = `{"total":${total},"limit":${limit},"offset":${offset},"sessions":[`;
  // Every string written as it is, and all of them side by side in `text`: one test over that
  // tells whether any needs escaping (a call per string costs more than the strings' scan).
  let json = head;
  let text = "";
  for (let i = 0; i < sessions.length; i++) {
    const s = sessions[i];
    if (!isWritable(s)) return undefined;
    const endTime = s.end_time === null ? "null" : `"${s.end_time}"`;
    const meetingId = s.chime_meeting_id === null ? "null" : `"${s.chime_meeting_id}"`;
    json +=
      `${i === 0 ? "" : ","}{"session_id":"${s.session_id}","booking_type":"CLINIC_BASED",` +
      `"appointment_id":"${s.appointment_id}","doctor_id":"${s.doctor_id}","patient_id":"${s.patient_id}",` +
      `"patient_name":"${s.patient_name}","clinic_id":"${s.clinic_id}","status":"${s.status}",` +
      `"start_time":"${s.start_time}","end_time":${endTime},"chime_meeting_id":${meetingId},` +
      `"scheduled_start_time":"${s.scheduled_start_time}","scheduled_duration_minutes":${s.scheduled_duration_minutes},` +
      `"created_at":"${s.created_at}","updated_at":"${s.updated_at}"}`;
    text +=
      s.session_id +
      s.appointment_id +
      s.doctor_id +
      s.patient_id +
      s.patient_name +
      s.clinic_id +
      s.start_time +
      (s.end_time ?? "") +
      (s.chime_meeting_id ?? "") +
      s.scheduled_start_time +
      s.created_at +
      s.updated_at;
  }
  if (!needsEscape.test(text)) return `${json}]}`;
  // Some string needs escaping (a quote in a name…): each one written by JSON.stringify.
  json = head;
  for (let i = 0; i < sessions.length; i++) json += (i === 0 ? "" : ",") + escapedSummaryJson(sessions[i]!);
  return `${json}]}`;
}

/** The contract's statuses (fast-json-stringify refuses any other). */
const statuses: ReadonlySet<unknown> = new Set(["CREATED", "IN_PROGRESS", "COMPLETED", "CANCELLED"]);

/** A character JSON.stringify writes escaped: `"`, `\`, a control character, a surrogate. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for.
const needsEscape = /["\\\u0000-\u001f\ud800-\udfff]/;

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === "function";
}

/** A summary of the types this writer writes (anything else goes to the compiled serializer). */
function isWritable(s: SessionSummary | undefined): s is SessionSummary {
  return (
    typeof s === "object" &&
    s !== null &&
    !hasToJson(s) &&
    s.booking_type === "CLINIC_BASED" &&
    statuses.has(s.status) &&
    typeof s.session_id === "string" &&
    typeof s.appointment_id === "string" &&
    typeof s.doctor_id === "string" &&
    typeof s.patient_id === "string" &&
    typeof s.patient_name === "string" &&
    typeof s.clinic_id === "string" &&
    typeof s.start_time === "string" &&
    (s.end_time === null || typeof s.end_time === "string") &&
    (s.chime_meeting_id === null || typeof s.chime_meeting_id === "string") &&
    typeof s.scheduled_start_time === "string" &&
    Number.isInteger(s.scheduled_duration_minutes) &&
    typeof s.created_at === "string" &&
    typeof s.updated_at === "string"
  );
}

const str = (value: string) => JSON.stringify(value);
const strOrNull = (value: string | null) => (value === null ? "null" : JSON.stringify(value));

function escapedSummaryJson(s: SessionSummary): string {
  return (
    `{"session_id":${str(s.session_id)},"booking_type":"CLINIC_BASED","appointment_id":${str(s.appointment_id)},` +
    `"doctor_id":${str(s.doctor_id)},"patient_id":${str(s.patient_id)},"patient_name":${str(s.patient_name)},` +
    `"clinic_id":${str(s.clinic_id)},"status":"${s.status}","start_time":${str(s.start_time)},` +
    `"end_time":${strOrNull(s.end_time)},"chime_meeting_id":${strOrNull(s.chime_meeting_id)},` +
    `"scheduled_start_time":${str(s.scheduled_start_time)},"scheduled_duration_minutes":${s.scheduled_duration_minutes},` +
    `"created_at":${str(s.created_at)},"updated_at":${str(s.updated_at)}}`
  );
}

// Stand-in OpenAPI documents for services that are not built yet, written from the guide's
// API Integration section, design.md and the shared contracts. gen-api.mjs uses one only when a
// service's own buildApp does not exist; the service's real document replaces it as soon as it does.
import { Appointment, ErrorBody, LoginRequest, RefreshRequest, TokenResponse, User } from "@clinic/contracts";

const plain = (schema) => JSON.parse(JSON.stringify(schema, (k, v) => (k === "$id" ? undefined : v)));
const str = { type: "string" };
const nstr = { anyOf: [str, { type: "null" }] };
const int = { type: "integer" };
const nint = { anyOf: [int, { type: "null" }] };
const obj = (properties, optional = []) => ({
  type: "object",
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
});
const arr = (items) => ({ type: "array", items });
const en = (...values) => ({ type: "string", enum: values });
const json = (schema) => ({ content: { "application/json": { schema } } });
const errors = (...codes) =>
  Object.fromEntries(codes.map((c) => [c, { description: "error", ...json(plain(ErrorBody)) }]));
const ok = (schema) => ({ 200: { description: "OK", ...json(schema) } });
const pathParam = (name) => ({ name, in: "path", required: true, schema: str });
const query = (name, schema) => ({ name, in: "query", required: false, schema });
const doc = (title, paths) => ({ openapi: "3.0.3", info: { title, version: "0.0.0-guide" }, paths });

const sessionStatus = en("CREATED", "IN_PROGRESS", "COMPLETED", "CANCELLED");
const attendeeStatus = en("JOINING", "CONNECTED", "LEFT", "REPLACED");
const mediaUrls = obj({ audio_host_url: str, video_host_url: str, signaling_url: str });
const iceServer = obj({ urls: { anyOf: [str, arr(str)] }, username: str, credential: str }, ["username", "credential"]);
const chime = obj({ Meeting: { type: "object" }, Attendee: { type: "object" } });
const attendee = obj(
  {
    attendee_id: str,
    user_type: en("DOCTOR", "PATIENT"),
    name: str,
    join_time: nstr,
    leave_time: nstr,
    status: attendeeStatus,
  },
  ["leave_time"],
);
const media = { media_provider: en("embedded", "chime"), ice_servers: arr(iceServer), chime };
const mediaOptional = ["ice_servers", "chime"];
const summary = obj({
  session_id: str,
  booking_type: str,
  appointment_id: str,
  doctor_id: str,
  patient_id: str,
  patient_name: str,
  clinic_id: str,
  status: sessionStatus,
  start_time: nstr,
  end_time: nstr,
  chime_meeting_id: nstr,
  created_at: str,
  updated_at: str,
});
const notesBody = obj(
  { notes: { type: "string", maxLength: 500 }, quality_rating: { type: "integer", minimum: 1, maximum: 5 } },
  ["notes", "quality_rating"],
);

export const guideDocuments = {
  auth: doc("auth (guide stand-in)", {
    "/api/auth/login": {
      post: {
        requestBody: json(plain(LoginRequest)),
        responses: { ...ok(plain(TokenResponse)), ...errors(400, 401, 429) },
      },
    },
    "/api/auth/refresh": {
      post: {
        requestBody: json(plain(RefreshRequest)),
        responses: { ...ok(plain(TokenResponse)), ...errors(400, 401) },
      },
    },
    "/api/auth/logout": {
      post: {
        requestBody: json(plain(RefreshRequest)),
        responses: { 204: { description: "logged out" }, ...errors(400, 401) },
      },
    },
    "/api/auth/me": { get: { responses: { ...ok(plain(User)), ...errors(401) } } },
  }),
  appointments: doc("appointments (guide stand-in)", {
    "/api/appointments": {
      get: {
        parameters: [
          query("status", en("SCHEDULED", "IN_PROGRESS", "COMPLETED", "CANCELLED")),
          query("from", str),
          query("to", str),
          query("limit", int),
          query("offset", int),
        ],
        responses: {
          ...ok(obj({ total: int, limit: int, offset: int, appointments: arr(plain(Appointment)) })),
          ...errors(400, 401, 403),
        },
      },
    },
    "/api/appointments/{id}": {
      get: { parameters: [pathParam("id")], responses: { ...ok(plain(Appointment)), ...errors(401, 403, 404) } },
    },
  }),
  video: doc("video (guide stand-in)", {
    "/api/video/sessions": {
      get: {
        parameters: [
          query("status", sessionStatus),
          query("limit", int),
          query("offset", int),
          query("sort", en("created_at", "start_time")),
        ],
        responses: {
          ...ok(obj({ total: int, limit: int, offset: int, sessions: arr(summary) })),
          ...errors(400, 401, 403),
        },
      },
    },
    "/api/video/sessions/{appointment_id}/start": {
      post: {
        parameters: [pathParam("appointment_id")],
        requestBody: json(obj({ booking_type: en("CLINIC_BASED") })),
        responses: {
          ...ok(
            obj(
              {
                session_id: str,
                appointment_id: str,
                status: sessionStatus,
                chime_meeting_id: str,
                doctor_attendee: obj({ attendee_id: str, join_token: str, external_user_id: str, email: str }),
                aws_media_urls: mediaUrls,
                created_at: str,
                ...media,
              },
              mediaOptional,
            ),
          ),
          ...errors(400, 401, 403, 404, 409, 429, 503),
        },
      },
    },
    "/api/video/sessions/{session_id}/join": {
      post: {
        parameters: [pathParam("session_id")],
        requestBody: json(obj({ device_info: str, browser_info: str }, ["device_info", "browser_info"])),
        responses: {
          ...ok(
            obj(
              {
                session_id: str,
                attendee: obj({ attendee_id: str, join_token: str, external_user_id: str }),
                aws_media_urls: mediaUrls,
                session_status: sessionStatus,
                attendees: arr(attendee),
                ...media,
              },
              mediaOptional,
            ),
          ),
          ...errors(400, 401, 403, 404, 409, 429, 503),
        },
      },
    },
    "/api/video/sessions/{session_id}": {
      get: {
        parameters: [pathParam("session_id")],
        responses: {
          ...ok(
            obj(
              {
                session_id: str,
                appointment_id: str,
                doctor_id: str,
                patient_id: str,
                patient_name: str,
                booking_type: str,
                status: sessionStatus,
                chime_meeting_id: nstr,
                start_time: nstr,
                end_time: nstr,
                duration_seconds: nint,
                attendees: arr(attendee),
                notes: nstr,
                quality_rating: nint,
                created_at: str,
                updated_at: str,
              },
              ["notes", "quality_rating"],
            ),
          ),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    "/api/video/sessions/{session_id}/end": {
      post: {
        parameters: [pathParam("session_id")],
        requestBody: json(notesBody),
        responses: {
          ...ok(
            obj({
              session_id: str,
              appointment_id: str,
              status: sessionStatus,
              start_time: nstr,
              end_time: nstr,
              duration_minutes: int,
              notes: nstr,
              quality_rating: nint,
              appointment_status: str,
              created_at: str,
              updated_at: str,
            }),
          ),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    "/api/video/sessions/{session_id}/notes": {
      put: {
        parameters: [pathParam("session_id")],
        requestBody: json(notesBody),
        responses: {
          ...ok(obj({ session_id: str, notes: nstr, quality_rating: nint, updated_at: str })),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    "/api/video/metrics/usage": {
      get: {
        parameters: [query("month", str)],
        responses: {
          ...ok(
            obj({
              month: str,
              total_sessions: int,
              total_attendee_minutes: { type: "number" },
              free_tier_limit: int,
              usage_percentage: { type: "number" },
              remaining_minutes: { type: "number" },
              status: en("HEALTHY", "WARNING", "CRITICAL", "EXCEEDED"),
              sessions: arr(
                obj({
                  session_id: str,
                  patient_name: str,
                  start_time: nstr,
                  duration_minutes: { type: "number" },
                  attendees: int,
                  attendee_minutes: { type: "number" },
                }),
              ),
            }),
          ),
          ...errors(400, 401, 403),
        },
      },
    },
  }),
};

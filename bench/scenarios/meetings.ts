import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import type { ConsentText, JoinSessionResponse, RecordConsentResponse, StartSessionResponse } from "@clinic/contracts";
import { Agent, request } from "undici";
import type { ChildServer } from "../lib/child-process.ts";
import type { BookedAppointment } from "../servers/video-server-info.ts";

export interface BenchMeeting {
  sessionId: string;
  doctor: { attendeeId: string; joinToken: string };
  patient: { attendeeId: string; joinToken: string };
}

/**
 * The bench's HTTP client: undici's `request` over keep-alive connections, not `fetch`. On
 * this machine `fetch` costs the client ~0.4 ms of CPU a request, taken from the server on the
 * same 2 cores (bench/README.md Finding 40).
 */
const agent = new Agent({ keepAliveTimeout: 30_000 });

/**
 * The headers Node's `fetch` adds on its own (`accept-encoding` above all: the server
 * compresses the answers above 1 KiB for it), so the server does the same work as before.
 */
const fetchHeaders = {
  accept: "*/*",
  "accept-language": "*",
  "sec-fetch-mode": "cors",
  "user-agent": "node",
  "accept-encoding": "gzip, deflate",
};

export interface BenchAnswer {
  status: number;
  /** The body as received (still compressed when `content-encoding` says so). */
  raw: Buffer;
  encoding: string | undefined;
}

/** One call with a bearer token (and a JSON body when given); the body is read in full. */
export async function call(
  method: "GET" | "POST" | "PUT",
  url: string,
  token: string,
  body?: object,
): Promise<BenchAnswer> {
  const response = await request(url, {
    method,
    dispatcher: agent,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { "content-type": "application/json" } : {}),
      ...fetchHeaders,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const raw = Buffer.from(await response.body.arrayBuffer());
  const encoding = response.headers["content-encoding"];
  return { status: response.statusCode, raw, encoding: typeof encoding === "string" ? encoding : undefined };
}

/** The body as text, decompressed as `fetch` would have done. */
export function answerText({ raw, encoding }: BenchAnswer): string {
  if (encoding === "gzip") return gunzipSync(raw).toString("utf8");
  if (encoding === "deflate") return inflateSync(raw).toString("utf8");
  if (encoding === "br") return brotliDecompressSync(raw).toString("utf8");
  return raw.toString("utf8");
}

/** A 200 answer's JSON, or an error naming the call and what came back. */
export function expectOk<T>(answer: BenchAnswer, what: string): T {
  if (answer.status !== 200) throw new Error(`${what} → ${answer.status} ${answerText(answer)}`);
  return JSON.parse(answerText(answer)) as T;
}

async function post<T>(url: string, token: string, body: object): Promise<T> {
  return expectOk<T>(await call("POST", url, token, body), `POST ${new URL(url).pathname}`);
}

/**
 * The doctor starts (auto-admit on) and the patient joins, through the real endpoints; tokens come from their
 * answers. Before joining, the patient reads the clinic's consent text and gives consent, as
 * the patient's page does (a patient's join needs it, TELEHEALTH_CONSENT=required).
 */
export async function startAndJoin(baseUrl: string, appointment: BookedAppointment): Promise<BenchMeeting> {
  const started = await post<StartSessionResponse>(
    `${baseUrl}/api/video/sessions/${appointment.appointmentId}/start`,
    appointment.doctorToken,
    { booking_type: "CLINIC_BASED" },
  );
  // The doctor lets the patient in without Admit (waiting room, issue 12): the bench measures the call.
  const waitingRoom = await call(
    "PUT",
    `${baseUrl}/api/video/sessions/${started.session_id}/waiting-room`,
    appointment.doctorToken,
    { auto_admit: true },
  );
  if (waitingRoom.status !== 200) throw new Error(`PUT /waiting-room → ${waitingRoom.status}`);
  const { version } = expectOk<ConsentText>(
    await call("GET", `${baseUrl}/api/video/consent-text`, appointment.patientToken),
    "GET /consent-text",
  );
  await post<RecordConsentResponse>(
    `${baseUrl}/api/video/sessions/${started.session_id}/consent`,
    appointment.patientToken,
    { decision: "GIVEN", text_version: version },
  );
  const joined = await post<JoinSessionResponse>(
    `${baseUrl}/api/video/sessions/${started.session_id}/join`,
    appointment.patientToken,
    { device_info: "bench", browser_info: "bench" },
  );
  return {
    sessionId: started.session_id,
    doctor: { attendeeId: started.doctor_attendee.attendee_id, joinToken: started.doctor_attendee.join_token },
    patient: { attendeeId: joined.attendee.attendee_id, joinToken: joined.attendee.join_token },
  };
}

/**
 * Books `count` appointments starting now (one doctor each), then starts and joins every one,
 * at `baseUrl` (default: the video server itself; the gateway's `…/video` to go through it).
 */
export async function openMeetings(video: ChildServer, count: number, baseUrl = `http://127.0.0.1:${video.port}`) {
  const started = performance.now();
  const appointments = (await video.call("bookAppointments", { count })) as BookedAppointment[];
  const meetings: BenchMeeting[] = [];
  // A handful at a time, like clinics starting their consultations, bounded by `count`.
  for (let i = 0; i < appointments.length; i += 10) {
    meetings.push(...(await Promise.all(appointments.slice(i, i + 10).map((a) => startAndJoin(baseUrl, a)))));
  }
  return { meetings, seconds: Math.round((performance.now() - started) / 100) / 10 };
}

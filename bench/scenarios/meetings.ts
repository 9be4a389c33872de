import type { ConsentText, JoinSessionResponse, RecordConsentResponse, StartSessionResponse } from "@clinic/contracts";
import type { ChildServer } from "../lib/child-process.ts";
import type { BookedAppointment } from "../servers/video-server-info.ts";

export interface BenchMeeting {
  sessionId: string;
  doctor: { attendeeId: string; joinToken: string };
  patient: { attendeeId: string; joinToken: string };
}

async function post<T>(url: string, token: string, body: object): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 200)
    throw new Error(`POST ${new URL(url).pathname} → ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
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
  const waitingRoom = await fetch(`${baseUrl}/api/video/sessions/${started.session_id}/waiting-room`, {
    method: "PUT",
    headers: { authorization: `Bearer ${appointment.doctorToken}`, "content-type": "application/json" },
    body: JSON.stringify({ auto_admit: true }),
  });
  if (waitingRoom.status !== 200) throw new Error(`PUT /waiting-room → ${waitingRoom.status}`);
  const consentText = await fetch(`${baseUrl}/api/video/consent-text`, {
    headers: { authorization: `Bearer ${appointment.patientToken}` },
  });
  if (consentText.status !== 200) throw new Error(`GET /consent-text → ${consentText.status}`);
  const { version } = (await consentText.json()) as ConsentText;
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

import type { Appointment } from "@clinic/contracts";
import type { AuthUser } from "@clinic/platform";
import { expect } from "vitest";
import { call } from "./http.ts";
import { type Person, people } from "./people.ts";
import type { System } from "./system.ts";

type Who = Person | AuthUser;
const user = (who: Who): AuthUser => (typeof who === "string" ? people[who] : who);

/**
 * Books (through the appointments API, as the doctor) a video appointment starting now. The
 * patient is added to the system's stand-in directory first (bookings check their people there).
 */
export async function bookNow(
  system: Pick<System, "urls" | "token"> & Partial<Pick<System, "remember">>,
  doctor: Who = "doctor",
  patient: Who = "patient",
  minutesFromNow = 0,
): Promise<Appointment> {
  const p = user(patient);
  system.remember?.(p);
  const reply = await call<Appointment>(system.urls.appointments, "POST", "/api/appointments", {
    token: await system.token(doctor),
    body: {
      patient_id: p.id,
      start_time: new Date(Date.now() + minutesFromNow * 60_000).toISOString(),
      duration_minutes: 30,
      video_enabled: true,
    },
  });
  expect(reply.status, reply.text).toBe(201);
  return reply.body;
}

export interface Started {
  session_id: string;
  doctor_attendee: { join_token: string; attendee_id: string };
  aws_media_urls: { signaling_url: string };
}

export async function startSession(videoUrl: string, token: string, appointmentId: string) {
  return call<Started>(videoUrl, "POST", `/api/video/sessions/${appointmentId}/start`, {
    token,
    body: { booking_type: "CLINIC_BASED" },
  });
}

/**
 * The doctor turns auto-admit on for the session (the waiting room, issue 12): the patient then
 * meets the doctor as soon as they connect, without waiting for Admit. Tests about something else
 * than the waiting room call this after the start, where a patient connects.
 */
export async function autoAdmit(videoUrl: string, doctorToken: string, sessionId: string, on = true) {
  const reply = await call(videoUrl, "PUT", `/api/video/sessions/${sessionId}/waiting-room`, {
    token: doctorToken,
    body: { auto_admit: on },
  });
  expect(reply.status, reply.text).toBe(200);
  return reply;
}

/**
 * The patient answers the telehealth consent to their clinic's current text, as the patient's
 * page does before joining: a patient's join is refused without GIVEN (TELEHEALTH_CONSENT=required).
 */
export async function giveConsent(
  videoUrl: string,
  patientToken: string,
  sessionId: string,
  decision: "GIVEN" | "DECLINED" = "GIVEN",
) {
  const text = await call<{ version: number }>(videoUrl, "GET", "/api/video/consent-text", { token: patientToken });
  expect(text.status, text.text).toBe(200);
  const reply = await call(videoUrl, "POST", `/api/video/sessions/${sessionId}/consent`, {
    token: patientToken,
    body: { decision, text_version: text.body.version },
  });
  expect(reply.status, reply.text).toBe(200);
  return reply;
}

export async function endSession(videoUrl: string, token: string, sessionId: string, body: unknown = {}) {
  return call(videoUrl, "POST", `/api/video/sessions/${sessionId}/end`, { token, body });
}

export async function appointmentStatus(system: Pick<System, "urls" | "token">, id: string, as: Who = "doctor") {
  const reply = await call<Appointment>(system.urls.appointments, "GET", `/api/appointments/${id}`, {
    token: await system.token(as),
  });
  expect(reply.status, reply.text).toBe(200);
  return reply.body;
}

/** An invite link for the appointment, made by its doctor (or whoever `as` is); the token is the URL's last segment. */
export async function createInvite(system: Pick<System, "urls" | "token">, appointmentId: string, as: Who = "doctor") {
  const reply = await call<{ url: string; expires_at: string }>(
    system.urls.appointments,
    "POST",
    `/api/appointments/${appointmentId}/invites`,
    { token: await system.token(as) },
  );
  expect(reply.status, reply.text).toBe(201);
  return { ...reply.body, token: reply.body.url.slice(reply.body.url.lastIndexOf("/") + 1) };
}

/** What the /join page does first: the invite token for an invite-scoped access token (auth service). */
export async function exchangeInvite(authUrl: string, inviteToken: string, path = "/api/auth/invite-token") {
  return call<{
    access_token: string;
    expires_in: number;
    user: { id: string; role: string; clinic_id: string };
    invite: { appointment_id: string; session_id: string | null; status: string; expires_at: string };
  }>(authUrl, "POST", path, { body: { invite_token: inviteToken } });
}

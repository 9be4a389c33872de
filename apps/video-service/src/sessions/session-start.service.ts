import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { EventTypes, type StartSessionResponse } from "@clinic/contracts";
import { makeEvent, withTransaction } from "@clinic/platform";
import { lockAppointment, takeEarlyChanges } from "../appointments/early-changes.repository.ts";
import {
  AppointmentNotStartable,
  NotVideoAppointment,
  OutsideJoinWindow,
  SessionNotFound,
  SessionStarting,
} from "../errors.ts";
import type { Attendee, MediaProvider, Meeting } from "../meetings/media-provider.ts";
import { outboxTrx } from "../tables.ts";
import { assertWithinFreeTier } from "../usage/usage.service.ts";
import { sessionStartedEndpoints } from "../webhooks/webhook-events.ts";
import { type AppointmentFacts, newSessionRow, withEarlyChanges } from "./new-session.ts";
import type { AllowedAccess } from "./session-access.ts";
import { signallingJoinToken } from "./session-presence.ts";
import { isInsideWindow, joinWindow, requireTransition } from "./session-state.ts";
import { mediaFields } from "./session-views.ts";
import {
  findSession,
  findSessionByAppointment,
  hasLiveStartReservation,
  insertOrLockByAppointment,
  lockSession,
  recordStart,
  releaseStartReservation,
  reserveStart,
  reserveStartOfExisting,
  type SessionRow,
} from "./sessions.repository.ts";
import { factsOf } from "./sessions.service.ts";
import { callProvider, type RequestContext, type SessionsContext } from "./sessions-context.ts";

/**
 * POST /sessions/{appointment_id}/start. The appointment's facts (doctor, patient, clinic,
 * schedule) are those the appointment events delivered, kept on the CREATED session
 * `appointment.booked` made (and `appointment.cancelled` / `appointment.rescheduled` kept in
 * step; an appointment's doctor, patient and clinic never change): no call to the appointments
 * service on the way. They are asked of the appointments service (`startFacts`) only when
 * missing: no session yet (the booked event not handled yet), or the doctor's token names no
 * one (the attendee takes the appointment's doctor name); or possibly stale: they put the
 * appointment outside its join window, where a reschedule not handled yet may put it inside.
 * Then, so that no transaction, row lock or pool connection is held while the media
 * provider answers (Chime: up to 43 s a call, its retries included):
 *
 * 1. reserve: a short transaction creates (or finds) the session and marks it as being
 *    started by this request (`start_token`); a concurrent start waits for that reservation;
 * 2. the meeting and the doctor's attendee are created at the provider, no transaction open;
 * 3. record: a second short transaction, under the row lock, checks the reservation is still
 *    ours and the session still CREATED, and commits IN_PROGRESS with
 *    `appointment.consultation.started`.
 *
 * The reservation's token is also the provider's idempotency key for this attempt's meeting
 * (Chime: ClientRequestToken), so no other start ever gets that meeting. If the provider fails,
 * or the session was cancelled or taken over meanwhile, the meeting made but not recorded is
 * ended (`endUnrecordedMeeting`) and the reservation given back (the appointment can be started
 * again at once, on a new meeting).
 */
export async function startSession(
  ctx: SessionsContext,
  req: RequestContext,
  appointmentId: string,
): Promise<StartSessionResponse> {
  const { actor } = req;
  await ctx.access.checkRole(actor, "start", ["DOCTOR"], appointmentId);
  const existing = await findSessionByAppointment(ctx.db, appointmentId);
  const { appointment, lookedUp, access } = await startFacts(ctx, req, appointmentId, existing);
  // The access row commits with the record step's transaction, or on its own if the start fails first.
  try {
    return await startAllowed(ctx, req, appointmentId, existing, appointment, lookedUp, access);
  } finally {
    await access.settle();
  }
}

async function startAllowed(
  ctx: SessionsContext,
  req: RequestContext,
  appointmentId: string,
  existing: SessionRow | undefined,
  appointment: StartAppointment,
  lookedUp: boolean,
  access: AllowedAccess,
): Promise<StartSessionResponse> {
  const { actor } = req;
  const now = ctx.now();
  await assertWithinFreeTier(ctx, appointment.clinic_id, now);

  const token = randomUUID();
  const sessionId = existing
    ? await reserveExistingSession(ctx, existing, token)
    : await reserveSession(ctx, { ...appointment, appointment_id: appointment.id }, token);
  let meeting: Meeting | undefined;
  try {
    meeting = await callProvider(ctx.provider, "createMeeting", () =>
      ctx.provider.createMeeting({ session_id: sessionId, clinic_id: appointment.clinic_id, request_token: token }),
    );
    const created = meeting;
    const attendee: Attendee = await callProvider(ctx.provider, "createAttendee", () =>
      ctx.provider.createAttendee(created, { session_id: sessionId, external_user_id: actor.user.id }),
    );
    const { row, enqueued } = await access.transactionCarrying(ctx.db, async (trx, audit) => {
      // The access row and the doctor's attendee ride on the update that takes the row lock and
      // checks the reservation.
      const row = await recordStart(trx, audit, sessionId, token, {
        at: now,
        doctor: {
          attendee_id: attendee.attendee_id,
          user_id: actor.user.id,
          // startFacts looked the appointment up when the token names no one.
          name: actor.user.name || appointment.doctor_name || "Doctor",
          provider_data: JSON.stringify(attendee.provider_data ?? null),
        },
        media_provider: ctx.provider.name,
        meeting_id: created.meeting_id,
        meeting_media_urls: JSON.stringify(created.media_urls),
        meeting_provider_data: JSON.stringify(created.provider_data ?? null),
        // Facts the appointments service just gave are the latest: the session keeps them. The
        // session's own (the events') are left as they are: a reschedule handled meanwhile holds.
        ...(lookedUp
          ? {
              facts: {
                doctor_id: appointment.doctor_id,
                patient_id: appointment.patient_id,
                patient_name: appointment.patient_name,
                scheduled_start: new Date(appointment.start_time),
                scheduled_duration_minutes: appointment.duration_minutes,
              },
            }
          : {}),
      });
      if (!row) {
        // Cancelled while the provider answered, or our reservation expired and another start took
        // it over: this meeting is not the session's (an orphan, ended below).
        const current = await findSession(trx, sessionId);
        if (!current) throw new SessionNotFound();
        requireTransition(sessionId, current.status, "start");
        throw new SessionStarting(sessionId);
      }
      // Claimed for this instance's relay in this transaction: published right after the commit.
      // The webhook endpoints' read rides on it (after the row lock, as a statement of its own did).
      const enqueued = await ctx.relay.enqueue(
        outboxTrx(trx),
        // Subject: the appointment, whose events the outbox relay keeps in order.
        makeEvent(
          EventTypes.consultationStarted,
          "video-service",
          {
            appointment_id: appointmentId,
            session_id: sessionId,
            clinic_id: appointment.clinic_id,
            doctor_id: appointment.doctor_id,
            started_at: now.toISOString(),
          },
          appointmentId,
        ),
        sessionStartedEndpoints(row.clinic_id),
      );
      await ctx.webhooks.sessionStarted(trx, row, now, enqueued.carried);
      return { row, enqueued };
    });
    void ctx.relay.sendEnqueued(enqueued);
    return {
      session_id: row.session_id,
      appointment_id: row.appointment_id,
      status: row.status,
      chime_meeting_id: attendeeMeetingId(row.meeting_id),
      doctor_attendee: {
        attendee_id: attendee.attendee_id,
        join_token: await signallingJoinToken(ctx, row, attendee),
        external_user_id: attendee.external_user_id,
        email: actor.user.email,
      },
      ...mediaFields(row, attendee, req.signallingBase, ctx),
      start_time: now.toISOString(),
      created_at: row.created_at.toISOString(),
    };
  } catch (err) {
    if (meeting) await endUnrecordedMeeting(ctx, sessionId, meeting);
    await releaseStartReservation(ctx.db, sessionId, token).catch((releaseErr: Error) =>
      ctx.log.error({ err: releaseErr, sessionId }, "could not release the start reservation; it expires by itself"),
    );
    throw err;
  }
}

/** The appointment as a start needs it; `doctor_name` only when looked up. */
type StartAppointment = AppointmentFacts & { id: string; doctor_name?: string };

/**
 * The facts a start decides on, the access decision audited on them (403), and the refusals
 * they call for (409: the session not CREATED, the appointment cancelled or completed or without
 * video, outside the join window). From the session when it holds them (see
 * `startSession`); else, or when they refuse the join window, from the appointments service with
 * the doctor's own token (its own access rules apply too), as the last word.
 */
async function startFacts(
  ctx: SessionsContext,
  req: RequestContext,
  appointmentId: string,
  existing: SessionRow | undefined,
): Promise<{ appointment: StartAppointment; lookedUp: boolean; access: AllowedAccess }> {
  let access: AllowedAccess | undefined;
  try {
    const facts = await startFactsAllowed(ctx, req, appointmentId, existing, (a) => {
      access = a;
    });
    if (!access) throw new Error("start decided without an access check");
    return { ...facts, access };
  } catch (err) {
    // Refused after the access was allowed (409, outside the window): on record before the answer.
    await access?.settle();
    throw err;
  }
}

async function startFactsAllowed(
  ctx: SessionsContext,
  req: RequestContext,
  appointmentId: string,
  existing: SessionRow | undefined,
  allowed: (access: AllowedAccess) => void,
): Promise<{ appointment: StartAppointment; lookedUp: boolean }> {
  const { actor } = req;
  if (existing && actor.user.name) {
    // Who may start never changes with a reschedule: decided and audited once, on the session.
    allowed(await ctx.access.allow(actor, "start", factsOf(existing)));
    // A session already running answers 409 with its id whatever the clock or usage says,
    // so the client can join it instead; a cancelled one 409 too (a cancellation is final).
    if (existing.status !== "CREATED") requireTransition(existing.session_id, existing.status, "start");
    const delivered: StartAppointment = {
      id: existing.appointment_id,
      appointment_id: existing.appointment_id,
      clinic_id: existing.clinic_id,
      doctor_id: existing.doctor_id,
      patient_id: existing.patient_id,
      patient_name: existing.patient_name,
      start_time: existing.scheduled_start.toISOString(),
      duration_minutes: existing.scheduled_duration_minutes,
    };
    if (insideJoinWindow(ctx, delivered)) return { appointment: delivered, lookedUp: false };
  }
  const appointment = await ctx.appointments.get(appointmentId, req.bearerToken);
  if (!existing || !actor.user.name) {
    allowed(
      await ctx.access.allow(actor, "start", {
        session_id: existing?.session_id ?? null,
        appointment_id: appointmentId,
        doctor_id: appointment.doctor_id,
        patient_id: appointment.patient_id,
        clinic_id: appointment.clinic_id,
      }),
    );
    if (existing && existing.status !== "CREATED") requireTransition(existing.session_id, existing.status, "start");
  }
  if (appointment.status === "CANCELLED" || appointment.status === "COMPLETED") {
    throw new AppointmentNotStartable(appointment.status);
  }
  if (!appointment.video_enabled) throw new NotVideoAppointment();
  const facts = { ...appointment, appointment_id: appointment.id };
  if (!insideJoinWindow(ctx, facts)) {
    const window = joinWindowOf(ctx, facts);
    throw new OutsideJoinWindow({ opens_at: window.opens_at.toISOString(), closes_at: window.closes_at.toISOString() });
  }
  return { appointment: facts, lookedUp: true };
}

function joinWindowOf(ctx: SessionsContext, facts: Pick<AppointmentFacts, "start_time" | "duration_minutes">) {
  return joinWindow(
    new Date(facts.start_time),
    facts.duration_minutes,
    ctx.config.JOIN_WINDOW_BEFORE_MIN,
    ctx.config.JOIN_WINDOW_AFTER_MIN,
  );
}

function insideJoinWindow(ctx: SessionsContext, facts: Pick<AppointmentFacts, "start_time" | "duration_minutes">) {
  return isInsideWindow(ctx.now(), joinWindowOf(ctx, facts));
}

/** How long a start waits for another start's reservation by default (below the gateway's 10 s). */
export const DEFAULT_START_WAIT_MS = 8_000;
const MAX_RESERVE_TRIES = 100;
/** Room for the database work around the provider calls (a statement may wait up to DB_STATEMENT_TIMEOUT_MS). */
const RESERVATION_MARGIN_MS = 30_000;

/**
 * How long a start's reservation stands: twice the provider's slowest start (two calls of at
 * most `maxCallMs` each) plus 30 s — Chime 202 s, embedded 50 s. A start that is alive is done
 * well before, so it is not taken over; a reservation older than this was left by a process
 * that died mid-call. The price of a longer one: after such a crash the appointment answers
 * 409 SESSION_STARTING until it expires. Should a start stall longer all the same (a frozen
 * process), it finds at its record step that the reservation is no longer its own and ends its
 * own meeting, never the one the start that took over records (`endUnrecordedMeeting`).
 */
export function startReservationTtlMs(provider: Pick<MediaProvider, "maxCallMs">): number {
  return 2 * (2 * provider.maxCallMs) + RESERVATION_MARGIN_MS;
}

/**
 * Step 1: creates (or finds) the appointment's session and reserves it for this start, in a
 * short transaction; returns the session id. While another start holds a live reservation,
 * tries again every 50–500 ms for up to `ctx.startWaitMs`: it ends as 409
 * SESSION_ALREADY_STARTED (the other succeeded: join it), with the reservation (the other
 * failed and gave it back, or its process died and it expired), or as 409 SESSION_STARTING.
 */
async function reserveSession(ctx: SessionsContext, facts: AppointmentFacts, token: string): Promise<string> {
  const giveUpAt = Date.now() + ctx.startWaitMs;
  const ttlMs = startReservationTtlMs(ctx.provider);
  for (let attempt = 0; ; attempt++) {
    const now = ctx.now();
    const result = await withTransaction(ctx.db, async (trx) => {
      // The appointment's lock orders this insert with its events; a cancellation handled
      // before any session existed is applied to the row made here (the lookup may lag it).
      await lockAppointment(trx, facts.appointment_id);
      const early = await takeEarlyChanges(trx, facts.appointment_id);
      const locked = await insertOrLockByAppointment(
        trx,
        withEarlyChanges(newSessionRow(facts, now), early, { schedule: false }),
      );
      requireTransition(locked.session_id, locked.status, "start");
      if (hasLiveStartReservation(locked, now, ttlMs)) return { sessionId: locked.session_id, reserved: false };
      if (locked.start_token !== null) {
        ctx.log.warn({ sessionId: locked.session_id }, "start reservation expired (its start died?); taken over");
      }
      await reserveStart(trx, locked.session_id, token, now);
      return { sessionId: locked.session_id, reserved: true };
    });
    if (result.reserved) return result.sessionId;
    if (Date.now() >= giveUpAt || attempt + 1 >= MAX_RESERVE_TRIES) throw new SessionStarting(result.sessionId);
    await sleep(Math.min(500, 50 * 2 ** attempt));
  }
}

/**
 * Step 1 for a session that exists (the booked event made it): one statement reserves it
 * (`reserveStartOfExisting`); nothing to create, and no early change left to apply (the
 * insert that made the session took them). While another start's reservation is live, waits
 * as `reserveSession` does.
 */
async function reserveExistingSession(ctx: SessionsContext, existing: SessionRow, token: string): Promise<string> {
  const sessionId = existing.session_id;
  const giveUpAt = Date.now() + ctx.startWaitMs;
  const ttlMs = startReservationTtlMs(ctx.provider);
  for (let attempt = 0; ; attempt++) {
    const taken = await reserveStartOfExisting(ctx.db, sessionId, token, ctx.now(), ttlMs);
    if (taken) {
      if (taken.previous_token !== null) {
        ctx.log.warn({ sessionId }, "start reservation expired (its start died?); taken over");
      }
      return sessionId;
    }
    const current = await findSession(ctx.db, sessionId);
    if (!current) throw new SessionNotFound();
    requireTransition(sessionId, current.status, "start");
    if (Date.now() >= giveUpAt || attempt + 1 >= MAX_RESERVE_TRIES) throw new SessionStarting(sessionId);
    await sleep(Math.min(500, 50 * 2 ** attempt));
  }
}

/**
 * Ends the meeting a start made but did not record. Made with this start's own token, it is no
 * other start's meeting (a start that took over our reservation has its own), so it is an orphan
 * unless the session holds it after all: the record step committed but its answer was lost, or
 * a provider that does not make a new meeting per token. Under the row lock (which waits for a
 * record step still committing): the session holds it → kept; else → ended. The meeting the
 * session records is never ended here.
 */
async function endUnrecordedMeeting(ctx: SessionsContext, sessionId: string, made: Meeting) {
  let recorded: boolean;
  try {
    recorded = await withTransaction(ctx.db, async (trx) => {
      const row = await lockSession(trx, sessionId);
      return row?.meeting_id === made.meeting_id;
    });
  } catch (err) {
    // Unknown: leave it. A meeting nobody joins is ended by the provider (Chime: 5 minutes).
    ctx.log.error({ err, sessionId, meetingId: made.meeting_id }, "could not tell whether the meeting was recorded");
    return;
  }
  if (recorded) {
    ctx.log.info({ sessionId, meetingId: made.meeting_id }, "meeting of a failed start is the session's: kept");
    return;
  }
  await ctx.provider
    .endMeeting(made)
    .catch((cleanupErr: Error) =>
      ctx.log.error({ err: cleanupErr, meetingId: made.meeting_id }, "could not end meeting after failed start"),
    );
}

function attendeeMeetingId(meetingId: string | null): string {
  if (!meetingId) throw new Error("started session without a meeting");
  return meetingId;
}

import { type AppointmentStatus, type EventData, type EventType, EventTypes } from "@clinic/contracts";
import { type CloudEvent, type EventBus, type EventHandler, eventData, handleOnce } from "@clinic/platform";
import type { Kysely, Transaction } from "kysely";
import type { Logger } from "pino";
import type { AppointmentsTables } from "../database.ts";
import { appointmentsRepository as repo } from "./appointments.repository.ts";

/** This service's durable queue on the bus, and the consumer name in its inbox. */
export const appointmentsQueue = "appointments-service";
export const consumedEventTypes = [EventTypes.consultationStarted, EventTypes.consultationCompleted];
type Consumed = (typeof consumedEventTypes)[number];
const isConsumed = (type: string): type is Consumed => (consumedEventTypes as string[]).includes(type);

type Trx = Transaction<AppointmentsTables>;

function dataOf<K extends EventType>(event: CloudEvent, type: K): EventData<K> {
  const data = eventData(event, type);
  // Retrying cannot fix a malformed event: it ends in the dead-letter queue for a person to look at.
  if (!data) throw new Error(`event ${event.id} (${event.type}) has invalid data`);
  return data;
}

async function loadFor(trx: Trx, appointmentId: string, clinicId: string, eventId: string) {
  const row = await repo.find(trx, appointmentId, { lock: true });
  if (!row || row.clinic_id !== clinicId) {
    throw new Error(`event ${eventId} names appointment ${appointmentId}, which this clinic does not have`);
  }
  return row;
}

/**
 * The video service's consultation events move appointments: started → IN_PROGRESS,
 * completed → COMPLETED with the session id and duration. Each event takes effect once
 * (inbox row and update commit together); updates apply only from the states they expect,
 * so a late `started` after `completed` changes nothing. An event whose guarded update applies
 * costs one statement: the update and the inbox row in one data-modifying CTE
 * (`transitionOnce`, its own autocommit transaction, so both or neither commit). Only when it
 * changes nothing — a redelivery, a late event, an appointment this clinic does not have, or a
 * concurrent delivery of the same event that committed first — is the event handled as before,
 * in a transaction of its own (`handleOnce`: the inbox row, the guarded update again, and the
 * appointment read to tell an event about an appointment this clinic does not have (an error:
 * the dead-letter queue) from one that came too late (ignored, logged)).
 */
export function createConsultationEventHandler(deps: {
  db: Kysely<AppointmentsTables>;
  logger?: Logger;
}): EventHandler {
  const log = deps.logger;
  // The slow path: the inbox row, the guarded update again and, when it still does not
  // apply, the read that tells a late event from an appointment this clinic does not have.
  const effect = async (trx: Trx, event: CloudEvent & { type: Consumed }) => {
    const move = transitionOf(event);
    if (await repo.transition(trx, move.appointmentId, move.from, move.changes, move.clinicId)) return;
    const row = await loadFor(trx, move.appointmentId, move.clinicId, event.id);
    log?.warn({ eventId: event.id, appointmentId: row.id, status: row.status }, move.ignored);
  };
  /** The event's change and inbox row in one statement; false when it did not apply (see above). */
  const applyAtOnce = async (event: CloudEvent & { type: Consumed }): Promise<boolean> => {
    const move = transitionOf(event);
    try {
      return await repo.transitionOnce(deps.db, move.appointmentId, move.clinicId, move.from, move.changes, {
        eventId: event.id,
        consumer: appointmentsQueue,
        type: event.type,
      });
    } catch (err) {
      // Another delivery of this event committed its inbox row first: nothing of ours committed.
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  };

  return async (event) => {
    if (!isConsumed(event.type)) {
      log?.warn({ eventId: event.id, type: event.type }, "event type not handled here; ignored");
      return;
    }
    const consumed = event as CloudEvent & { type: Consumed };
    if (await applyAtOnce(consumed)) {
      log?.info({ eventId: event.id, type: event.type, duplicate: false }, "event processed");
      return;
    }
    const applied = await handleOnce(deps.db, appointmentsQueue, event, (trx) => effect(trx, consumed));
    log?.info({ eventId: event.id, type: event.type, duplicate: !applied }, "event processed");
  };
}

/** What an event changes, and from which states: one place for the one-statement and the slow path. */
function transitionOf(event: CloudEvent & { type: Consumed }) {
  if (event.type === EventTypes.consultationStarted) {
    const data = dataOf(event, EventTypes.consultationStarted);
    return {
      appointmentId: data.appointment_id,
      clinicId: data.clinic_id,
      from: ["SCHEDULED"] as AppointmentStatus[],
      changes: { status: "IN_PROGRESS" as const, session_id: data.session_id },
      ignored: "consultation start ignored",
    };
  }
  const data = dataOf(event, EventTypes.consultationCompleted);
  return {
    appointmentId: data.appointment_id,
    clinicId: data.clinic_id,
    // A consultation that was held is a medical fact: it wins over a cancel that raced the
    // (possibly delayed) start event, so the record never shows a held visit as cancelled.
    from: ["SCHEDULED", "IN_PROGRESS", "CANCELLED"] as AppointmentStatus[],
    changes: {
      status: "COMPLETED" as const,
      session_id: data.session_id,
      consultation_duration_minutes: data.duration_minutes,
    },
    ignored: "consultation end ignored",
  };
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "23505";
}

export function subscribeConsultationEvents(bus: EventBus, handler: EventHandler): Promise<void> {
  return bus.subscribe(appointmentsQueue, [...consumedEventTypes], handler);
}

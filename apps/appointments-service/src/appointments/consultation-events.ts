import { type EventData, type EventType, EventTypes } from "@clinic/contracts";
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
 * so a late `started` after `completed` changes nothing. The guarded update is the event's one
 * statement when it applies (it takes the row lock itself); only when it does not is the
 * appointment read, to tell an event about an appointment this clinic does not have (an
 * error: the dead-letter queue) from one that came too late (ignored, logged).
 */
export function createConsultationEventHandler(deps: {
  db: Kysely<AppointmentsTables>;
  logger?: Logger;
}): EventHandler {
  const log = deps.logger;
  const started = async (trx: Trx, event: CloudEvent) => {
    const data = dataOf(event, EventTypes.consultationStarted);
    const moved = await repo.transition(
      trx,
      data.appointment_id,
      ["SCHEDULED"],
      { status: "IN_PROGRESS", session_id: data.session_id },
      data.clinic_id,
    );
    if (moved) return;
    const row = await loadFor(trx, data.appointment_id, data.clinic_id, event.id);
    log?.warn({ eventId: event.id, appointmentId: row.id, status: row.status }, "consultation start ignored");
  };
  const completed = async (trx: Trx, event: CloudEvent) => {
    const data = dataOf(event, EventTypes.consultationCompleted);
    // A consultation that was held is a medical fact: it wins over a cancel that raced the
    // (possibly delayed) start event, so the record never shows a held visit as cancelled.
    const moved = await repo.transition(
      trx,
      data.appointment_id,
      ["SCHEDULED", "IN_PROGRESS", "CANCELLED"],
      { status: "COMPLETED", session_id: data.session_id, consultation_duration_minutes: data.duration_minutes },
      data.clinic_id,
    );
    if (moved) return;
    const row = await loadFor(trx, data.appointment_id, data.clinic_id, event.id);
    log?.warn({ eventId: event.id, appointmentId: row.id, status: row.status }, "consultation end ignored");
  };
  const effects: Record<Consumed, (trx: Trx, event: CloudEvent) => Promise<void>> = {
    [EventTypes.consultationStarted]: started,
    [EventTypes.consultationCompleted]: completed,
  };

  return async (event) => {
    if (!isConsumed(event.type)) {
      log?.warn({ eventId: event.id, type: event.type }, "event type not handled here; ignored");
      return;
    }
    const effect = effects[event.type];
    const applied = await handleOnce(deps.db, appointmentsQueue, event, (trx) => effect(trx, event));
    log?.info({ eventId: event.id, type: event.type, duplicate: !applied }, "event processed");
  };
}

export function subscribeConsultationEvents(bus: EventBus, handler: EventHandler): Promise<void> {
  return bus.subscribe(appointmentsQueue, [...consumedEventTypes], handler);
}

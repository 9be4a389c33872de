import {
  ConsultationCompletedData as CompletedSchema,
  type ConsultationCompletedData,
  type ConsultationStartedData,
  EventTypes,
  ConsultationStartedData as StartedSchema,
} from "@clinic/contracts";
import { type CloudEvent, type EventBus, type EventHandler, handleOnce } from "@clinic/platform";
import type { Kysely, Transaction } from "kysely";
import type { Logger } from "pino";
import type { TSchema } from "typebox";
import { Value } from "typebox/value";
import type { AppointmentsTables } from "../database.ts";
import { appointmentsRepository as repo } from "./appointments.repository.ts";

/** This service's durable queue on the bus, and the consumer name in its inbox. */
export const appointmentsQueue = "appointments-service";
export const consumedEventTypes = [EventTypes.consultationStarted, EventTypes.consultationCompleted];

type Trx = Transaction<AppointmentsTables>;

function dataOf<T>(schema: TSchema, event: CloudEvent): T {
  if (!Value.Check(schema, event.data)) {
    // Retrying cannot fix a malformed event: it ends in the dead-letter queue for a person to look at.
    throw new Error(`event ${event.id} (${event.type}) has invalid data`);
  }
  return event.data as T;
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
 * so a late `started` after `completed` changes nothing.
 */
export function createConsultationEventHandler(deps: {
  db: Kysely<AppointmentsTables>;
  logger?: Logger;
}): EventHandler {
  const log = deps.logger;
  const started = async (trx: Trx, event: CloudEvent) => {
    const data = dataOf<ConsultationStartedData>(StartedSchema, event);
    const row = await loadFor(trx, data.appointment_id, data.clinic_id, event.id);
    const moved = await repo.transition(trx, row.id, ["SCHEDULED"], {
      status: "IN_PROGRESS",
      session_id: data.session_id,
    });
    if (!moved)
      log?.warn({ eventId: event.id, appointmentId: row.id, status: row.status }, "consultation start ignored");
  };
  const completed = async (trx: Trx, event: CloudEvent) => {
    const data = dataOf<ConsultationCompletedData>(CompletedSchema, event);
    const row = await loadFor(trx, data.appointment_id, data.clinic_id, event.id);
    // A consultation that was held is a medical fact: it wins over a cancel that raced the
    // (possibly delayed) start event, so the record never shows a held visit as cancelled.
    const moved = await repo.transition(trx, row.id, ["SCHEDULED", "IN_PROGRESS", "CANCELLED"], {
      status: "COMPLETED",
      session_id: data.session_id,
      consultation_duration_minutes: data.duration_minutes,
    });
    if (!moved) log?.warn({ eventId: event.id, appointmentId: row.id, status: row.status }, "consultation end ignored");
  };
  const effects: Record<string, (trx: Trx, event: CloudEvent) => Promise<void>> = {
    [EventTypes.consultationStarted]: started,
    [EventTypes.consultationCompleted]: completed,
  };

  return async (event) => {
    const effect = effects[event.type];
    if (!effect) {
      log?.warn({ eventId: event.id, type: event.type }, "event type not handled here; ignored");
      return;
    }
    const applied = await handleOnce(deps.db, appointmentsQueue, event, (trx) => effect(trx, event));
    log?.info({ eventId: event.id, type: event.type, duplicate: !applied }, "event processed");
  };
}

export function subscribeConsultationEvents(bus: EventBus, handler: EventHandler): Promise<void> {
  return bus.subscribe(appointmentsQueue, [...consumedEventTypes], handler);
}

import { type EventData, EventTypes } from "@clinic/contracts";
import { describe, expect, expectTypeOf, it } from "vitest";
import { eventData, makeEvent } from "./event-bus.ts";

const appointmentId = "appt-00000000-0000-4000-8000-000000000001";
const cancelled = { appointment_id: appointmentId, clinic_id: "clinic-1", cancelled_at: "2026-12-01T10:00:00.000Z" };

describe("the event catalogue", () => {
  // The type-level half runs under `tsc` (npm run typecheck): an unused @ts-expect-error fails it.
  it("types makeEvent's data by the event type", () => {
    const event = makeEvent(EventTypes.appointmentCancelled, "test", cancelled, appointmentId);
    expectTypeOf(event.type).toEqualTypeOf<"appointment.cancelled">();
    expectTypeOf(event.data).toEqualTypeOf<EventData<"appointment.cancelled">>();
    expect(event).toMatchObject({ specversion: "1.0", type: "appointment.cancelled", subject: appointmentId });

    // @ts-expect-error the data of another event type does not compile
    makeEvent(EventTypes.appointmentBooked, "test", cancelled);
    // @ts-expect-error a type outside the catalogue does not compile
    makeEvent("appointment.lost", "test", cancelled);
  });

  it("checks incoming data against the type's schema", () => {
    const event = makeEvent(EventTypes.appointmentCancelled, "test", cancelled);
    expect(eventData(event, EventTypes.appointmentCancelled)).toEqual(cancelled);
    expect(eventData(event, EventTypes.appointmentBooked)).toBeUndefined();
    const malformed = { ...event, data: { appointment_id: appointmentId } };
    expect(eventData(malformed, EventTypes.appointmentCancelled)).toBeUndefined();
  });
});

import type { SessionStatus } from "@clinic/contracts";
import { describe, expect, it } from "vitest";
import { isInsideWindow, joinWindow, requireTransition, type SessionAction, transition } from "./session-state.ts";

const statuses: SessionStatus[] = ["CREATED", "IN_PROGRESS", "COMPLETED", "CANCELLED"];
const actions: SessionAction[] = [
  "start",
  "join",
  "end",
  "cancel",
  "updateNotes",
  "saveNotesDraft",
  "recordConsent",
  "exportEncounter",
  "exportNotes",
  "controlAttendee",
];

// Every (state, action) pair: the legal ones and where they lead, everything else refused.
const legal: Record<string, SessionStatus> = {
  "CREATED/start": "IN_PROGRESS",
  "CREATED/cancel": "CANCELLED",
  "IN_PROGRESS/join": "IN_PROGRESS",
  "IN_PROGRESS/end": "COMPLETED",
  "COMPLETED/updateNotes": "COMPLETED",
  "IN_PROGRESS/saveNotesDraft": "IN_PROGRESS",
  "COMPLETED/saveNotesDraft": "COMPLETED",
  "CREATED/recordConsent": "CREATED",
  "IN_PROGRESS/recordConsent": "IN_PROGRESS",
  "COMPLETED/exportEncounter": "COMPLETED",
  "COMPLETED/exportNotes": "COMPLETED",
  "IN_PROGRESS/controlAttendee": "IN_PROGRESS",
};

const expectedRefusal: Record<string, string> = {
  "CREATED/join": "SESSION_NOT_STARTED",
  "CREATED/end": "SESSION_NOT_STARTED",
  "CREATED/updateNotes": "SESSION_NOT_STARTED",
  "IN_PROGRESS/start": "SESSION_ALREADY_STARTED",
  "IN_PROGRESS/cancel": "SESSION_IN_PROGRESS",
  "IN_PROGRESS/updateNotes": "SESSION_IN_PROGRESS",
  "COMPLETED/start": "SESSION_ALREADY_ENDED",
  "COMPLETED/join": "SESSION_ALREADY_ENDED",
  "COMPLETED/end": "SESSION_ALREADY_ENDED",
  "COMPLETED/cancel": "SESSION_ALREADY_ENDED",
  "CANCELLED/start": "SESSION_CANCELLED",
  "CANCELLED/join": "SESSION_CANCELLED",
  "CANCELLED/end": "SESSION_CANCELLED",
  "CANCELLED/cancel": "SESSION_CANCELLED",
  "CANCELLED/updateNotes": "SESSION_CANCELLED",
  "CREATED/saveNotesDraft": "SESSION_NOT_STARTED",
  "CANCELLED/saveNotesDraft": "SESSION_CANCELLED",
  "COMPLETED/recordConsent": "SESSION_ALREADY_ENDED",
  "CANCELLED/recordConsent": "SESSION_CANCELLED",
  "CREATED/exportEncounter": "SESSION_NOT_STARTED",
  "IN_PROGRESS/exportEncounter": "SESSION_IN_PROGRESS",
  "CANCELLED/exportEncounter": "SESSION_CANCELLED",
  "CREATED/exportNotes": "SESSION_NOT_STARTED",
  "IN_PROGRESS/exportNotes": "SESSION_IN_PROGRESS",
  "CANCELLED/exportNotes": "SESSION_CANCELLED",
  "CREATED/controlAttendee": "SESSION_NOT_STARTED",
  "COMPLETED/controlAttendee": "SESSION_ALREADY_ENDED",
  "CANCELLED/controlAttendee": "SESSION_CANCELLED",
};

const pairs = statuses.flatMap((from) => actions.map((action) => ({ from, action, key: `${from}/${action}` })));

describe("session state machine", () => {
  it("covers every (state, action) pair in the tables above", () => {
    expect(Object.keys(legal).length + Object.keys(expectedRefusal).length).toBe(pairs.length);
  });

  it.each(pairs)("$key", ({ from, action, key }) => {
    const result = transition(from, action);
    if (legal[key]) {
      expect(result).toEqual({ ok: true, to: legal[key] });
    } else {
      expect(result).toMatchObject({ ok: false, code: expectedRefusal[key] });
    }
  });

  it("requireTransition throws 409 SESSION_ALREADY_STARTED carrying the session id", () => {
    expect(() => requireTransition("sess-1", "IN_PROGRESS", "start")).toThrow(
      expect.objectContaining({ status: 409, code: "SESSION_ALREADY_STARTED", extra: { session_id: "sess-1" } }),
    );
  });

  it("requireTransition throws 409 with the current status for other illegal moves", () => {
    expect(() => requireTransition("sess-1", "COMPLETED", "end")).toThrow(
      expect.objectContaining({ status: 409, code: "SESSION_ALREADY_ENDED" }),
    );
    expect(requireTransition("sess-1", "CREATED", "start")).toBe("IN_PROGRESS");
  });
});

describe("join window", () => {
  const start = new Date("2026-01-25T14:00:00Z");
  const window = joinWindow(start, 30, 10, 30);

  it("opens 10 minutes before the start and closes 30 minutes after the scheduled end", () => {
    expect(window.opens_at.toISOString()).toBe("2026-01-25T13:50:00.000Z");
    expect(window.closes_at.toISOString()).toBe("2026-01-25T15:00:00.000Z");
  });

  it.each([
    ["2026-01-25T13:49:59Z", false],
    ["2026-01-25T13:50:00Z", true],
    ["2026-01-25T14:45:00Z", true],
    ["2026-01-25T15:00:00Z", true],
    ["2026-01-25T15:00:01Z", false],
  ])("at %s inside=%s", (at, inside) => {
    expect(isInsideWindow(new Date(at), window)).toBe(inside);
  });
});

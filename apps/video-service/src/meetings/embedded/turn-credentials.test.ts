import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { turnIceServer, turnPassword } from "./turn-credentials.ts";

const turn = { urls: ["turn:turn.example:3478", "turns:turn.example:5349"], secret: "north", ttlSeconds: 3600 };

describe("TURN credentials (coturn's TURN REST API scheme)", () => {
  it("known vector: base64(HMAC-SHA1(secret, username))", () => {
    // Computed once with `printf '%s' 1700000000:att-1 | openssl dgst -sha1 -hmac north -binary | base64`.
    expect(turnPassword("north", "1700000000:att-1")).toBe("6E6/ywXs7NO0Uox5c+VHSSVE8qg=");
    expect(turnPassword("north", "1700000000:att-1")).toBe(
      createHmac("sha1", "north").update("1700000000:att-1").digest("base64"),
    );
    expect(turnPassword("south", "1700000000:att-1")).not.toBe("6E6/ywXs7NO0Uox5c+VHSSVE8qg=");
  });

  it("expires TURN_TTL_S after the clock's now, in whole unix seconds", () => {
    const now = new Date(1_700_000_000_500); // .5 s: the expiry is whole seconds
    expect(turnIceServer(turn, "att-1", now)).toEqual({
      urls: turn.urls,
      username: "1700003600:att-1",
      credential: turnPassword("north", "1700003600:att-1"),
    });
    expect(turnIceServer({ ...turn, ttlSeconds: 60 }, "att-1", now).username).toBe("1700000060:att-1");
  });

  it("is per person: each attendee's username carries its own id and its own credential", () => {
    const now = new Date(1_700_000_000_000);
    const doctor = turnIceServer(turn, "attendee-doctor", now);
    const patient = turnIceServer(turn, "attendee-patient", now);
    expect(doctor.username).toBe("1700003600:attendee-doctor");
    expect(patient.username).toBe("1700003600:attendee-patient");
    expect(doctor.credential).not.toBe(patient.credential);
    // Not the caller's array: a caller changing one entry changes no other.
    expect(doctor.urls).not.toBe(turn.urls);
  });
});

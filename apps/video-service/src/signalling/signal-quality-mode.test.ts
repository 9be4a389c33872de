import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectSignal, type SignalClient, signalUrl } from "../testing/signal-client.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

/** Weak-network adaptation (issue 12): a side's audio-only switch reaches the others, stamped with who. */
describe("signalling: quality-mode relay", () => {
  let h: Harness;
  let base: string;
  const open: SignalClient[] = [];
  const connect = (sessionId: string, token: string) => {
    const client = connectSignal(signalUrl(base, sessionId, token));
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    h = await createHarness();
    base = await h.listen();
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await h.close();
  });

  it("relays audio-only and back to video to the other attendee with a server-stamped from, not to the sender", async () => {
    const m = await h.meeting();
    const doctor = connect(m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    const patient = connect(m.sessionId, m.patient.join_token);
    await patient.next("welcome");
    // The waiting room holds the patient until the doctor lets them in.
    const admit = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${m.sessionId}/attendees/${m.patient.attendee_id}/admit`,
      headers: await h.auth(users.doctor),
    });
    expect(admit.statusCode, admit.body).toBe(200);
    await doctor.next("attendee.joined");

    patient.send({ type: "quality-mode", mode: "audio-only" });
    expect(await doctor.next("quality-mode")).toEqual({
      type: "quality-mode",
      from: m.patient.attendee_id,
      mode: "audio-only",
    });
    patient.send({ type: "quality-mode", mode: "video" });
    expect(await doctor.next("quality-mode")).toEqual({
      type: "quality-mode",
      from: m.patient.attendee_id,
      mode: "video",
    });
    // A heartbeat round trip proves the patient's own frames were handled: none came back to it.
    patient.send({ type: "heartbeat" });
    await patient.next("heartbeat");
    expect(patient.messages.filter((msg) => msg.type === "quality-mode")).toEqual([]);
  });

  it("refuses an unknown mode or a spoofed from as a bad message", async () => {
    const m = await h.meeting();
    const patient = connect(m.sessionId, m.patient.join_token);
    await patient.next("welcome");
    patient.send({ type: "quality-mode", mode: "potato" });
    expect(await patient.next("error")).toMatchObject({ code: "BAD_MESSAGE" });
    patient.send({ type: "quality-mode", mode: "video", from: "someone-else" });
    expect(await patient.next("error")).toMatchObject({ code: "BAD_MESSAGE" });
  });
});

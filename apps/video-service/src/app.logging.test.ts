import { captureLogs } from "@clinic/platform/testing";
import { describe, expect, it } from "vitest";
import { closedWithin, connectSignal, signalUrl } from "./testing/signal-client.ts";
import { createHarness, users } from "./testing/video-test-harness.ts";

describe("log hygiene", () => {
  it("a whole consultation logs no tokens, patient names or notes", async () => {
    const logs = captureLogs();
    const h = await createHarness({
      env: { LOG_LEVEL: "debug", TURN_URLS: "turn:turn.example:3478", TURN_SECRET: "turn-secret-octopus" },
      logStream: logs.stream,
    });
    try {
      const base = await h.listen();
      const { body } = await h.startedSession({ patient_name: "Zebulon Quartermain" });
      const patient = await h.join(body.session_id, { ...users.patient, name: "Zebulon Quartermain" });
      const client = connectSignal(signalUrl(base, body.session_id, patient.attendee.join_token));
      await client.next("welcome");
      await h.app.inject({
        method: "POST",
        url: `/api/video/sessions/${body.session_id}/end`,
        headers: await h.auth(users.doctor),
        payload: { notes: "Confidential finding xylophone", quality_rating: 4 },
      });
      await closedWithin(client);
      const text = logs.text();
      expect(text).toContain(body.session_id); // ids are fine and useful
      for (const secret of [
        body.doctor_attendee.join_token,
        patient.attendee.join_token,
        await h.token(users.doctor),
        "turn-secret-octopus",
        body.ice_servers[0].credential,
        patient.ice_servers[0].credential,
        "Zebulon",
        "xylophone",
      ]) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await h.close();
    }
  });
});

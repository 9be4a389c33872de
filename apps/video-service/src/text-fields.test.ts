import { captureLogs } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "./testing/video-test-harness.ts";

const secret = "Patient reports chest pain";
/** NUL cannot be stored by PostgreSQL (it answered 500 and logged the text); BEL is any other control. */
const controls = [`${secret}\u0000`, `${secret}\u0007`];

/**
 * Every free-text field of the video API refuses control characters with a 400 in the error
 * shape, before any code (or database) sees them, and the refused text never reaches a log.
 */
describe("control characters in free-text fields", () => {
  const logs = captureLogs();
  let h: Harness;
  let sessionId: string;
  beforeAll(async () => {
    h = await createHarness({ env: { LOG_LEVEL: "debug" }, logStream: logs.stream });
    sessionId = (await h.startedSession()).body.session_id;
    const consent = await h.consent(sessionId);
    expect(consent.statusCode, consent.body).toBe(200);
  });
  afterAll(() => h.close());

  const send = async (method: "POST" | "PUT", url: string, user: (typeof users)[keyof typeof users], body: object) =>
    h.app.inject({ method, url: `/api/video${url}`, headers: await h.auth(user), payload: body });

  const expectRefused = (reply: Awaited<ReturnType<typeof send>>, field: string) => {
    expect(reply.statusCode, reply.body).toBe(400);
    expect(reply.json()).toMatchObject({
      status: 400,
      code: "VALIDATION_FAILED",
      error: expect.stringMatching(new RegExp(`^Invalid request body: ${field} may not contain control characters`)),
    });
  };

  it("join: device_info and browser_info", async () => {
    for (const value of controls) {
      for (const field of ["device_info", "browser_info"]) {
        expectRefused(await send("POST", `/sessions/${sessionId}/join`, users.patient, { [field]: value }), field);
      }
    }
  });

  it("notes: the draft, the end and the notes afterwards", async () => {
    for (const value of controls) {
      expectRefused(await send("PUT", `/sessions/${sessionId}/notes/draft`, users.doctor, { notes: value }), "notes");
      expectRefused(await send("POST", `/sessions/${sessionId}/end`, users.doctor, { notes: value }), "notes");
    }
    const ended = await send("POST", `/sessions/${sessionId}/end`, users.doctor, {});
    expect(ended.statusCode, ended.body).toBe(200);
    for (const value of controls) {
      expectRefused(await send("PUT", `/sessions/${sessionId}/notes`, users.doctor, { notes: value }), "notes");
    }
    // Line breaks and tabs are what notes are made of.
    const kept = await send("PUT", `/sessions/${sessionId}/notes`, users.doctor, { notes: "Line one\r\n\tline two" });
    expect(kept.statusCode, kept.body).toBe(200);
  });

  it("webhooks: the endpoint URL", async () => {
    for (const value of [
      `https://ehr.example.org/${encodeURIComponent(secret)}\u0000`,
      "https://ehr.example.org/\u0007",
    ]) {
      expectRefused(await send("POST", "/webhooks", users.admin, { url: value, events: ["session.ended"] }), "url");
    }
  });

  it("logged none of the refused text, and no error", async () => {
    const text = logs.text();
    expect(text).toContain("request refused"); // the capture works
    expect(text).not.toContain("chest pain");
    expect(text).not.toContain("chest%20pain");
    expect(logs.lines.map((l) => JSON.parse(l)).filter((e) => e.level >= 50)).toEqual([]);
  });
});

describe("request ids in audit rows", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const read = async (sessionId: string, requestId: string) => {
    const reply = await h.app.inject({
      url: `/api/video/sessions/${sessionId}`,
      headers: { ...(await h.auth(users.doctor)), "x-request-id": requestId },
    });
    expect(reply.statusCode, reply.body).toBe(200);
    const rows = await h.app.video.database.db
      .selectFrom("audit_log")
      .select("request_id")
      .where("session_id", "=", sessionId)
      .where("action", "=", "session.read")
      .orderBy("id", "desc")
      .limit(1)
      .execute();
    return { header: reply.headers["x-request-id"], stored: rows[0]?.request_id };
  };

  it("stores a fresh server id instead of an 8,000-character or malformed caller id", async () => {
    const { body } = await h.startedSession();
    for (const given of ["r".repeat(8000), "two words", "line\r\nbreak"]) {
      const { header, stored } = await read(body.session_id, given);
      expect(header).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
      expect(stored).toBe(header);
      expect(stored).not.toBe(given);
    }
  });

  it("keeps a well-formed caller id", async () => {
    const { body } = await h.startedSession();
    const { header, stored } = await read(body.session_id, "trace-0123456789");
    expect(header).toBe("trace-0123456789");
    expect(stored).toBe("trace-0123456789");
  });
});

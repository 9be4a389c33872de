import pino from "pino";
import { describe, expect, it } from "vitest";
import { loggerOptions, serializeError } from "./logger.ts";
import { captureLogs } from "./testing/index.ts";

const note = "Patient reports chest pain";

/** What pg's DatabaseError carries (pg-protocol), with the values a failed insert would show. */
function pgLikeError() {
  class DatabaseError extends Error {
    severity = "ERROR";
    code = "22P02";
    detail = `Failing row contains (${note}).`;
    where = `unnamed portal parameter $1 = '${note}'`;
    parameters = [note];
    table = "sessions";
  }
  return new DatabaseError(`invalid input syntax for type uuid: "${note}"`);
}

/** What PGlite throws: an error of a minified class with the query and its parameters. */
function pgliteLikeError() {
  class O extends Error {
    severity = "ERROR";
    code = "22021";
    query = "insert into attendees (device_info) values ($1)";
    params = [`${note}\u0000`];
    queryOptions = { rowMode: "object" };
  }
  return new O('invalid byte sequence for encoding "UTF8": 0x00');
}

describe("the error serializer", () => {
  it("keeps only type, code and message of a database error, and not its message's words", () => {
    expect(serializeError(pgLikeError())).toEqual({
      type: "DatabaseError",
      code: "22P02",
      message: "database error 22P02 (data exception)",
    });
    expect(serializeError(pgliteLikeError())).toEqual({
      type: "DatabaseError",
      code: "22021",
      message: "database error 22021 (data exception)",
    });
    // Any error that carries a query or its parameters counts as one, whatever its class.
    expect(serializeError(Object.assign(new Error(note), { query: "select 1", params: [note] }))).toEqual({
      type: "DatabaseError",
      message: "database error",
    });
  });

  it("keeps type, code and message of other errors, nothing else", () => {
    const err = Object.assign(new TypeError("Invalid URL"), { code: "ERR_INVALID_URL", input: note, cause: note });
    expect(serializeError(err)).toEqual({ type: "TypeError", code: "ERR_INVALID_URL", message: "Invalid URL" });
    // JSON.parse quotes what it read.
    let parseError: unknown;
    try {
      JSON.parse(`{"notes": "${note}`);
    } catch (e) {
      parseError = e;
    }
    expect(serializeError(parseError)).toEqual({ type: "SyntaxError", message: "invalid JSON" });
    expect(serializeError("our own message")).toBe("our own message");
  });

  it("is what the platform logger writes, under err, error or an error logged alone", () => {
    const logs = captureLogs();
    const logger = pino(loggerOptions("test", "info"), logs.stream);
    logger.error({ err: pgliteLikeError() }, "request failed");
    logger.warn({ error: pgLikeError() }, "event handler failed");
    logger.error(pgLikeError());
    const entries = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.map((e) => e.err ?? e.error)).toEqual([
      { type: "DatabaseError", code: "22021", message: "database error 22021 (data exception)" },
      { type: "DatabaseError", code: "22P02", message: "database error 22P02 (data exception)" },
      { type: "DatabaseError", code: "22P02", message: "database error 22P02 (data exception)" },
    ]);
    expect(entries[2]?.msg).toBe("database error 22P02 (data exception)");
    expect(logs.text()).not.toContain("chest pain");
    expect(logs.text()).not.toContain("insert into");
  });
});

describe("redaction", () => {
  it("censors TURN credentials and the TURN secret wherever a log object carries them", () => {
    const logs = captureLogs();
    const log = pino(loggerOptions("test", "info"), logs.stream);
    const iceServers = [{ urls: ["turn:turn.example:3478"], username: "1700003600:att-1", credential: "c3Bhcmtz" }];
    log.info({ ice_servers: iceServers }, "one");
    log.info({ body: { ice_servers: iceServers } }, "two");
    log.info({ credential: "c3Bhcmtz", config: { TURN_SECRET: "north-secret" }, TURN_SECRET: "north-secret" }, "three");
    const text = logs.text();
    expect(text).toContain("1700003600:att-1"); // the username is an expiry and an id: useful, not secret
    expect(text).not.toContain("c3Bhcmtz");
    expect(text).not.toContain("north-secret");
  });
});

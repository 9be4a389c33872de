import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "./db.ts";
import { type App, createService } from "./server.ts";
import { captureLogs, testDatabase } from "./testing/index.ts";

const note = "Patient reports chest pain";

/**
 * A query that fails in the database (PGlite embedded, PostgreSQL with DATABASE_URL) answers
 * 500, and its log line names the SQLSTATE only: not the query, not its parameters, and not
 * the server's message, which can quote the value.
 */
describe("a database error in a request", () => {
  const logs = captureLogs();
  const target = testDatabase("errors_logging");
  let database: Database<unknown>;
  let app: App;
  beforeAll(async () => {
    database = await openDatabase(target.options);
    app = await createService({ name: "errors-logging-test", title: "t", logStream: logs.stream });
    app.post("/nul", async (request) => {
      await sql`select ${(request.body as { text: string }).text}::text`.execute(database.db);
      return {};
    });
    app.post("/uuid", async (request) => {
      await sql`select ${(request.body as { text: string }).text}::uuid`.execute(database.db);
      return {};
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
    await target.drop();
  });

  it.each([
    ["/nul", `${note}\u0000`, "22021"],
    ["/uuid", note, "22P02"],
  ])("%s → 500, logged as its SQLSTATE only", async (url, text, code) => {
    const reply = await app.inject({ method: "POST", url, payload: { text } });
    expect(reply.statusCode).toBe(500);
    expect(reply.json()).toEqual({ error: "Internal server error", status: 500, code: "INTERNAL" });
    const failed = logs.lines.map((l) => JSON.parse(l)).filter((e) => e.msg === "request failed");
    expect(failed.at(-1)?.err).toEqual({
      type: "DatabaseError",
      code,
      message: `database error ${code} (data exception)`,
    });
    expect(logs.text()).not.toContain("chest pain");
    expect(logs.text()).not.toContain("select");
  });
});

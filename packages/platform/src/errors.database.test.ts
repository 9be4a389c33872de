import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, toErrorBody } from "./errors.ts";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("database unavailable → 503", () => {
  it.each([
    ["a connection lost inside the pool", new Error("Connection terminated unexpectedly")],
    ["a connect timeout of the pool", new Error("timeout exceeded when trying to connect")],
    ["pg_terminate_backend", withCode("terminating connection due to administrator command", "57P01")],
    ["a server starting up", withCode("the database system is starting up", "57P03")],
    ["too many connections", withCode("sorry, too many clients already", "53300")],
    ["a statement over statement_timeout", withCode("canceling statement due to statement timeout", "57014")],
    [
      "a transaction over idle_in_transaction_session_timeout",
      withCode("terminating connection due to idle-in-transaction timeout", "25P03"),
    ],
    ["a connection exception (class 08)", withCode("connection failure", "08006")],
    ["a refused connection", withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")],
  ])("maps %s to 503 DATABASE_UNAVAILABLE without internals", (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    const body = toErrorBody(err);
    expect(body).toEqual({
      error: "The service's database is unavailable; try again shortly",
      status: 503,
      code: "DATABASE_UNAVAILABLE",
    });
  });

  it.each([
    ["a query bug", withCode('relation "nope" does not exist', "42P01")],
    ["a constraint violation", withCode("duplicate key value violates unique constraint", "23505")],
    ["any other error", new Error("connection to db-internal.example:5432 refused for user clinic_admin")],
    ["a non-error", "Connection terminated unexpectedly"],
  ])("leaves %s a 500", (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
    if (err instanceof Error) expect(toErrorBody(err).status).toBe(500);
  });
});

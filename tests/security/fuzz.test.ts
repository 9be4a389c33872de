import type { App } from "@clinic/platform";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, busTopology } from "../support/bus.ts";
import { bookNow, startSession } from "../support/flows.ts";
import { bodyFor, pathSegment, queryFor } from "../support/fuzz-arbitraries.ts";
import { type Operation, operationsOf } from "../support/openapi.ts";
import { type System, startSystem } from "../support/system.ts";

const services = ["auth", "appointments", "video"] as const;
type Service = (typeof services)[number];
/** Runs per operation, and a ceiling on the time one operation's fuzzing may take. */
const numRuns = 50;
const timeLimitMs = 8_000;

interface Answer {
  statusCode: number;
  body: string;
}

/** What is wrong with an answer: a 5xx, or a 4xx without the `{error,status,code}` shape. */
function problemWith(answer: Answer): string | undefined {
  if (answer.statusCode >= 500) return `${answer.statusCode} ${answer.body.slice(0, 300)}`;
  if (answer.statusCode < 400) return undefined;
  try {
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    if (typeof body.error === "string" && body.status === answer.statusCode && typeof body.code === "string")
      return undefined;
  } catch {
    // not JSON: reported below
  }
  return `${answer.statusCode} without the error shape: ${answer.body.slice(0, 300)}`;
}

/**
 * Property-based fuzzing of every operation the three services document in OpenAPI: path
 * parameters, query strings and bodies derived from the schemas (valid-ish, wrong types,
 * unknown fields, deep nesting, any JSON), with a doctor's token and with none; then
 * oversized bodies, malformed JSON and wrong content types on every operation taking a body.
 * No answer may be a 5xx, every 4xx has the platform's error shape, and each service is
 * healthy afterwards.
 */
describe(`fuzzing every endpoint from its OpenAPI (${backend})`, () => {
  const topology = busTopology("fuzz");
  let system: System;
  let doctorToken: string;
  let realIds: string[];

  beforeAll(async () => {
    system = await startSystem({ bus: await topology.connect() });
    doctorToken = await system.token("doctor");
    const appointment = await bookNow(system);
    const spare = await bookNow(system, "doctor", "patient", 24 * 60);
    const started = await startSession(system.urls.video, doctorToken, appointment.id);
    expect(started.status, started.text).toBe(200);
    realIds = [appointment.id, spare.id, started.body.session_id];
  });
  afterAll(async () => {
    await system?.close();
    await topology.cleanup();
  });

  const app = (service: Service) => system.apps[service] as App;
  const operations = (service: Service): Operation[] => operationsOf(service, app(service));

  const urlFor = (op: Operation) =>
    fc
      .tuple(
        fc.array(pathSegment(realIds), {
          minLength: (op.path.match(/\{/g) ?? []).length,
          maxLength: (op.path.match(/\{/g) ?? []).length,
        }),
        queryFor(op.parameters.filter((p) => p.in === "query")),
      )
      .map(([segments, query]) => {
        let index = 0;
        return `${op.path.replace(/\{\w+\}/g, () => segments[index++] ?? "x")}${query}`;
      });

  for (const service of services) {
    it(`${service}: path, query and body from the schemas, with and without a token: no 5xx, every 4xx shaped`, async () => {
      const failures: string[] = [];
      const seen = new Map<number, number>();
      for (const op of operations(service)) {
        const takesBody = op.method !== "GET";
        const property = fc.asyncProperty(
          urlFor(op),
          takesBody ? bodyFor(op.body) : fc.constant(undefined),
          fc.boolean(),
          async (url, body, withToken) => {
            const answer = await app(service).inject({
              method: op.method as "GET",
              url,
              headers: {
                ...(withToken ? { authorization: `Bearer ${doctorToken}` } : {}),
                ...(body !== undefined ? { "content-type": "application/json" } : {}),
              },
              ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
            });
            seen.set(answer.statusCode, (seen.get(answer.statusCode) ?? 0) + 1);
            const problem = problemWith({ statusCode: answer.statusCode, body: answer.body });
            if (problem) throw new Error(problem);
          },
        );
        const result = await fc.check(property, { numRuns, interruptAfterTimeLimit: timeLimitMs });
        if (result.failed)
          failures.push(
            `${op.key}: ${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)} — counterexample ${JSON.stringify(result.counterexample).slice(0, 500)}`,
          );
      }
      expect(failures).toEqual([]);
      // The inputs got past validation and authentication into the handlers too, not only refused.
      const statuses = [...seen.keys()];
      console.info(`${service} fuzz answers by status: ${JSON.stringify(Object.fromEntries(seen))}`);
      expect(
        statuses.some((s) => s < 300),
        JSON.stringify(Object.fromEntries(seen)),
      ).toBe(true);
      expect(statuses.some((s) => s === 401) && statuses.some((s) => s === 400)).toBe(true);
      expect((await app(service).inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
    });

    it(`${service}: oversized bodies, malformed JSON and wrong content types are clean 4xx`, async () => {
      const limit = 65_536;
      const cases: { name: string; contentType?: string; payload: string }[] = [
        {
          name: "oversized JSON",
          contentType: "application/json",
          payload: JSON.stringify({ notes: "a".repeat(limit) }),
        },
        { name: "oversized garbage", contentType: "application/json", payload: "[".repeat(limit + 10) },
        { name: "truncated JSON", contentType: "application/json", payload: '{"notes":' },
        { name: "single quotes", contentType: "application/json", payload: "{'notes':'x'}" },
        { name: "trailing comma", contentType: "application/json", payload: '{"notes":"x",}' },
        { name: "NUL byte", contentType: "application/json", payload: '{"notes":"\u0000' },
        { name: "empty JSON", contentType: "application/json", payload: "" },
        { name: "JSON charset", contentType: "application/json; charset=utf-16", payload: "{}" },
        { name: "text/plain", contentType: "text/plain", payload: '{"notes":"x"}' },
        { name: "xml", contentType: "application/xml", payload: "<notes>x</notes>" },
        { name: "form", contentType: "application/x-www-form-urlencoded", payload: "notes=x" },
        { name: "multipart", contentType: "multipart/form-data; boundary=x", payload: "--x\r\n\r\nx\r\n--x--" },
        { name: "no content type", payload: '{"notes":"x"}' },
      ];
      const failures: string[] = [];
      for (const op of operations(service).filter((o) => o.method !== "GET")) {
        const url = op.path.replace(
          /\{\w+\}/g,
          (name) => (name.includes("session") ? realIds[2] : realIds[1]) as string,
        );
        for (const withToken of [true, false]) {
          for (const c of cases) {
            const answer = await app(service).inject({
              method: op.method as "POST",
              url,
              headers: {
                ...(withToken ? { authorization: `Bearer ${doctorToken}` } : {}),
                ...(c.contentType ? { "content-type": c.contentType } : {}),
              },
              payload: c.payload,
            });
            const problem =
              problemWith({ statusCode: answer.statusCode, body: answer.body }) ??
              (answer.statusCode < 400 && c.name !== "no content type" && c.name !== "JSON charset"
                ? `${answer.statusCode} accepted`
                : undefined);
            if (problem) failures.push(`${op.key} ${c.name}${withToken ? "" : " (no token)"}: ${problem}`);
          }
        }
      }
      expect(failures).toEqual([]);
      expect((await app(service).inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
    });
  }
});

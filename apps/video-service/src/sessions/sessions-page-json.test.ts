import { type ListSessionsResponse, ListSessionsResponse as ListSessionsResponseSchema } from "@clinic/contracts";
import { type App, createService } from "@clinic/platform";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { sessionsPageJson } from "./sessions-page-json.ts";

/**
 * What a route with the contract's response schema answers on the platform's server, its
 * compiled serializer (fast-json-stringify) writing the page: the bytes the list answered
 * before sessions-page-json.ts.
 */
let service: App;
let compiled: (p: ListSessionsResponse) => string;
beforeAll(async () => {
  service = await createService({ name: "page-json-test", title: "t", logLevel: "silent" });
  service.get("/page", { schema: { response: { 200: ListSessionsResponseSchema } } }, async (_request, reply) => {
    compiled = reply.getSerializationFunction("200") as (p: ListSessionsResponse) => string;
    return { total: 0, limit: 1, offset: 0, sessions: [] };
  });
  await service.ready();
  expect((await service.inject({ url: "/page" })).body).toBe('{"total":0,"limit":1,"offset":0,"sessions":[]}');
});
afterAll(() => service.close());

type Summary = ListSessionsResponse["sessions"][number];
const statuses = ["CREATED", "IN_PROGRESS", "COMPLETED", "CANCELLED"] as const;

function summary(i: number, overrides: Partial<Summary> = {}): Summary {
  return {
    session_id: `sess-00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    booking_type: "CLINIC_BASED",
    appointment_id: `appt-00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    doctor_id: "doctor-1",
    patient_id: `patient-${i}`,
    patient_name: `Patient ${i}`,
    clinic_id: "clinic-1",
    status: statuses[i % 4]!,
    start_time: "2026-12-03T07:37:17.123Z",
    end_time: i % 2 === 0 ? null : "2026-12-03T08:07:17.000Z",
    chime_meeting_id: i % 3 === 0 ? null : `meeting-${i}`,
    scheduled_start_time: "0999-01-01T00:00:00.000Z",
    scheduled_duration_minutes: 15 * i,
    created_at: "+275760-09-13T00:00:00.000Z",
    updated_at: "2026-12-31T23:59:59.999Z",
    ...overrides,
  };
}

const page = (sessions: Summary[], extra: Partial<ListSessionsResponse> = {}): ListSessionsResponse => ({
  total: 10_000,
  limit: 20,
  offset: 0,
  sessions,
  ...extra,
});

/** Strings fast-json-stringify and JSON.stringify escape, in every field that holds free text. */
const awkward = [
  'O"Brien',
  "back\\slash",
  "line\nbreak\ttab\u0000nul\u001f",
  "\u2028\u2029 separators",
  "emoji 😀 and a lone \ud800 surrogate and \udfff",
  "",
  "ü ß 中文 Ωmega",
  `a long name ${"x".repeat(60)} with "a quote" past 42 characters`,
  "y".repeat(6000),
  `${"z".repeat(5000)}"`,
];

describe("sessionsPageJson (GET /sessions's answer)", () => {
  it("writes the same bytes as the compiled serializer for every status, nulls and times", () => {
    const sessions = Array.from({ length: 24 }, (_, i) => summary(i));
    for (const p of [page(sessions), page([]), page(sessions.slice(0, 1), { total: 0, limit: 1, offset: 1_000_000 })]) {
      const json = sessionsPageJson(p);
      expect(json).toBe(compiled(p));
      expect(JSON.parse(json!)).toEqual(p);
    }
  });

  it("escapes every field as the compiled serializer does", () => {
    const fields = [
      "session_id",
      "appointment_id",
      "doctor_id",
      "patient_id",
      "patient_name",
      "clinic_id",
      "start_time",
      "end_time",
      "chime_meeting_id",
      "scheduled_start_time",
      "created_at",
      "updated_at",
    ] as const;
    for (const field of fields) {
      for (const value of awkward) {
        const p = page([summary(1), summary(2, { [field]: value }), summary(3)]);
        expect(sessionsPageJson(p), `${field}: ${JSON.stringify(value).slice(0, 40)}`).toBe(compiled(p));
      }
    }
  });

  it("writes only the contract's fields, in its order", () => {
    const extra = { ...summary(5), notes: "private", quality_rating: 2 } as Summary;
    const p = { ...page([extra]), secret: "x" } as ListSessionsResponse;
    const json = sessionsPageJson(p)!;
    expect(json).toBe(compiled(p));
    expect(json).not.toContain("private");
    expect(Object.keys(JSON.parse(json).sessions[0])).toEqual(
      Object.keys((ListSessionsResponseSchema.properties.sessions.items as { properties: object }).properties),
    );
  });

  it("leaves to the compiled serializer what it does not write", () => {
    const refused: ListSessionsResponse[] = [
      page([summary(1, { status: "PAUSED" as Summary["status"] })]),
      page([summary(1, { scheduled_duration_minutes: 1.5 })]),
      page([summary(1, { patient_id: 7 as unknown as string })]),
      page([summary(1, { end_time: undefined as unknown as null })]),
      page([summary(1, { chime_meeting_id: undefined as unknown as null })]),
      page([summary(1, { start_time: new Date(0) as unknown as string })]),
      page([summary(1, { booking_type: "OTHER" as "CLINIC_BASED" })]),
      page([{ ...summary(1), toJSON: () => ({}) } as Summary]),
      page([null as unknown as Summary]),
      page([], { total: "3" as unknown as number }),
      page([], { total: 10n as unknown as number }),
      { ...page([]), toJSON: () => page([]) } as ListSessionsResponse,
    ];
    for (const p of refused) expect(sessionsPageJson(p)).toBeUndefined();
  });
});

/** The route itself: its answer is the compiled serializer's bytes, for rows the writer takes and the ones it escapes. */
describe("GET /sessions answers the compiled serializer's bytes", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it("for every status, null and set times, and names that need escaping", async () => {
    const names = ['O"Brien \\ tab\t', "Zoë 😀", "line\u2028sep", "plain"];
    for (let i = 0; i < 4; i++) {
      const { body } = await h.startedSession();
      await sql`
        UPDATE sessions SET status = ${statuses[i]!}, patient_name = ${names[i]!},
          end_time = ${i < 2 ? null : "2026-12-31 23:59:59.999999+00"}, updated_at = '0999-03-04 05:06:07.5+00'
        WHERE session_id = ${body.session_id}
      `.execute(h.app.video.database.db);
    }
    for (const query of [
      "limit=100",
      "limit=2",
      "limit=3&offset=1&sort=start_time",
      "status=COMPLETED",
      "offset=500",
    ]) {
      const response = await h.app.inject({ url: `/api/video/sessions?${query}`, headers: await h.auth(users.doctor) });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(response.body).toBe(compiled(JSON.parse(response.body)));
    }
    const all = await h.app.inject({ url: "/api/video/sessions?limit=100", headers: await h.auth(users.doctor) });
    const page = JSON.parse(all.body) as ListSessionsResponse;
    expect(page.sessions.map((s) => s.status)).toEqual(expect.arrayContaining([...statuses]));
    expect(page.sessions.map((s) => s.patient_name)).toEqual(expect.arrayContaining(names));
  });
});

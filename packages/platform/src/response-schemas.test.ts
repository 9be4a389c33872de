import { NullableTimestamp, Timestamp } from "@clinic/contracts";
import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import { serializableSchema } from "./response-schemas.ts";
import { createService } from "./server.ts";

/**
 * Nullable response fields are serialized without an `anyOf` per value (issue 14, bench/README.md
 * Finding "Nullable fields and request lines"): the route's response schema is a rewritten copy,
 * the JSON the same.
 */
describe("serializable response schemas", () => {
  const Row = Type.Object({
    at: Timestamp,
    ended: NullableTimestamp,
    note: Type.Union([Type.Null(), Type.String({ description: "kept" })], { description: "a nullable note" }),
    kind: Type.Union([Type.Literal("A"), Type.Literal("B")]),
    either: Type.Union([Type.String(), Type.Integer()]),
  });
  const Page = Type.Object({ rows: Type.Array(Row), next: NullableTimestamp });

  it("marks a scalar-or-null union nullable, at any depth, and leaves other unions and the original alone", () => {
    const before = JSON.stringify(Page);
    const out = serializableSchema(Page) as { properties: Record<string, unknown> };
    expect(JSON.stringify(Page)).toBe(before);
    expect(out.properties.next).toEqual({ type: "string", format: "date-time", nullable: true });
    const row = (out.properties.rows as { items: { properties: Record<string, unknown> } }).items.properties;
    expect(row.ended).toEqual({ type: "string", format: "date-time", nullable: true });
    // The union's own keywords win over its branch's.
    expect(row.note).toEqual({ type: "string", description: "a nullable note", nullable: true });
    expect(row.kind).toBe(Row.properties.kind);
    expect(row.either).toBe(Row.properties.either);
    expect(row.at).toBe(Row.properties.at);
  });

  it("returns the very schema when nothing in it is a nullable union", () => {
    const Plain = Type.Object({ a: Type.String(), b: Type.Array(Type.Integer()) });
    expect(serializableSchema(Plain)).toBe(Plain);
  });

  it("serializes routes through the rewritten schema, with the same JSON", async () => {
    const app = await createService({ name: "schema-test", title: "t", logLevel: "silent" });
    let seen: unknown;
    app.addHook("onRoute", (route) => {
      if (route.url === "/page") seen = route.schema?.response;
    });
    const row = {
      at: "2026-12-03T10:00:00.000Z",
      ended: null,
      note: 'a "quoted" note',
      kind: "A" as const,
      either: 3,
    };
    // A field the schema does not name is dropped, as before.
    const withExtra = { ...row, ended: "2026-12-03T11:00:00.000Z", note: null, extra: "dropped" };
    app.get("/page", { schema: { response: { 200: Page } } }, async () => ({
      rows: [row, withExtra],
      next: null,
    }));
    try {
      const res = await app.inject({ url: "/page" });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        rows: [row, { ...row, ended: "2026-12-03T11:00:00.000Z", note: null }],
        next: null,
      });
      expect((seen as Record<string, { properties: Record<string, unknown> }>)[200]?.properties.next).toEqual({
        type: "string",
        format: "date-time",
        nullable: true,
      });
    } finally {
      await app.close();
    }
  });
});

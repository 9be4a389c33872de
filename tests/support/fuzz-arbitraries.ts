import fc from "fast-check";

/** A JSON schema as an OpenAPI document serves it (what TypeBox produced, after swagger). */
export type JsonSchema = Record<string, unknown>;

/** Values a careless parser or query builder chokes on, of every JSON type. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "null",
    "-1",
    "0",
    "1e400",
    "NaN",
    "99999999999999999999999",
    "'; DROP TABLE sessions; --",
    "\u0000",
    "\ud800",
    "💥".repeat(300),
    "a".repeat(70_000),
    -1,
    -2_147_483_649,
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    -0,
    0.5,
    true,
    null,
    [],
    {},
    JSON.parse('{"__proto__":{"admin":true}}'),
    { constructor: { prototype: { polluted: true } } },
  ),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 1, max: 3000 }).map(deepNesting),
);

/** `{"a":{"a":…}}` or `[[…]]` nested `depth` times. */
function deepNesting(depth: number): unknown {
  let value: unknown = depth % 2 ? "leaf" : [];
  for (let i = 0; i < depth; i++) value = depth % 2 ? { a: value } : [value];
  return value;
}

/** Values that satisfy `schema`, or nearly (the edges of its ranges, its formats). */
function validish(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union?.length) return fc.oneof(...union.map((s) => validish(s, depth + 1)));
  switch (schema.type) {
    case "string":
      return stringFor(schema);
    case "integer":
      return fc.integer({
        min: typeof schema.minimum === "number" ? schema.minimum : -1_000_000,
        max: typeof schema.maximum === "number" ? schema.maximum : 1_000_000,
      });
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(validish(schema.items as JsonSchema, depth + 1), {
        minLength: typeof schema.minItems === "number" ? schema.minItems : 0,
        maxLength: typeof schema.maxItems === "number" ? schema.maxItems : 5,
      });
    case "object":
      return objectFor(schema, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const maxLength = typeof schema.maxLength === "number" ? schema.maxLength : 200;
  const minLength = typeof schema.minLength === "number" ? schema.minLength : 0;
  if (schema.format === "date-time")
    return fc
      .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2200-01-01T00:00:00Z"), noInvalidDate: true })
      .map((d) => d.toISOString());
  if (schema.format === "email") return fc.emailAddress().filter((e) => e.length <= maxLength);
  if (typeof schema.pattern === "string") {
    const pattern = new RegExp(schema.pattern);
    return fc.stringMatching(pattern).filter((s) => s.length >= minLength && s.length <= maxLength);
  }
  return fc.string({ minLength, maxLength: Math.min(maxLength, 300), unit: "grapheme" });
}

function objectFor(schema: JsonSchema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema.required ?? []) as string[];
  const model = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, validish(s, depth + 1)]));
  return fc.record(model, { requiredKeys: required.filter((k) => k in model) }) as fc.Arbitrary<
    Record<string, unknown>
  >;
}

/**
 * A request body for `schema`: schema-valid-ish, valid-ish with one property of the wrong
 * type, with unknown fields, without a required one, or any JSON at all (deeply nested too).
 */
export function bodyFor(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const valid = validish(schema);
  const keys = Object.keys((schema?.properties ?? {}) as object);
  const variants: fc.Arbitrary<unknown>[] = [
    valid,
    hostileValue,
    fc
      .tuple(valid, fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), hostileValue, { maxKeys: 3 }))
      .map(([v, extra]) => (isObject(v) ? { ...extra, ...v, ...extra } : v)),
  ];
  if (keys.length > 0) {
    variants.push(
      fc
        .tuple(valid, fc.constantFrom(...keys), hostileValue)
        .map(([v, key, bad]) => (isObject(v) ? { ...v, [key]: bad } : v)),
      fc.tuple(valid, fc.constantFrom(...keys)).map(([v, key]) => {
        if (!isObject(v)) return v;
        const { [key]: _dropped, ...rest } = v;
        return rest;
      }),
    );
  }
  return fc.oneof(...variants);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A path segment, already percent-encoded: real-looking ids, malformed, unicode, very long, broken escapes. */
export function pathSegment(realIds: string[]): fc.Arbitrary<string> {
  const uuid = fc.uuid();
  return fc.oneof(
    fc.constantFrom(...realIds).map(encodeURIComponent),
    uuid.map((u) => `appt-${u}`),
    uuid.map((u) => `sess-${u}`),
    uuid,
    fc.string({ unit: "binary", maxLength: 60 }).map(safeEncode),
    fc.string({ unit: "grapheme", maxLength: 60 }).map(safeEncode),
    fc.integer({ min: 300, max: 6000 }).map((n) => `sess-${"f".repeat(n)}`),
    fc.constantFrom(
      "%ED%A0%80",
      "%C0%AF",
      "%E0%A4%A",
      "%",
      "%25",
      "..",
      "%2e%2e%2f",
      "%00",
      "null",
      "-1",
      "appt-",
      " ",
    ),
  );
}

/** encodeURIComponent, or a malformed UTF-8 escape for a lone surrogate (it cannot encode one). */
function safeEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return "%ED%B0%80";
  }
}

/** A query string: the documented parameters with valid-ish or hostile values, unknown keys, repeats. */
export function queryFor(parameters: { name: string; schema?: JsonSchema }[]): fc.Arbitrary<string> {
  const value = (schema: JsonSchema | undefined) =>
    fc.oneof(
      validish(schema).map(asQueryValue),
      hostileValue.map(asQueryValue),
      fc.constantFrom("-5", "0", "1e9", "184467440737095516160", "2.5", "true", "[]", "{}", ""),
    );
  const known = parameters.map((p) => fc.tuple(fc.constant(p.name), fc.array(value(p.schema), { maxLength: 3 })));
  const unknown = fc.tuple(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.array(value(undefined), { minLength: 1, maxLength: 2 }),
  );
  return fc
    .tuple(
      known.length ? fc.tuple(...known) : fc.constant([] as [string, string[]][]),
      fc.array(unknown, { maxLength: 2 }),
    )
    .map(([documented, extra]) => {
      const pairs: string[] = [];
      for (const [name, values] of [...documented, ...extra])
        for (const v of values) pairs.push(`${safeEncode(name)}=${safeEncode(v)}`);
      return pairs.length ? `?${pairs.join("&")}` : "";
    });
}

function asQueryValue(v: unknown): string {
  if (typeof v === "string") return v.slice(0, 2000);
  return (JSON.stringify(v) ?? "").slice(0, 2000);
}

import type { FastifyInstance } from "fastify";

/**
 * Response schemas as fast-json-stringify serializes them fastest, for the same JSON.
 *
 * The contracts write a nullable value as TypeBox does, `anyOf: [{ type: "string", format:
 * "date-time" }, { type: "null" }]` (`NullableTimestamp`, `Type.Union([Type.String(),
 * Type.Null()])`). fast-json-stringify serializes an `anyOf` by running ajv over every
 * branch until one matches — for a timestamp, ajv's `date-time` format check — on every
 * value of every row (about 5 % of the list page's CPU; issue 14, bench/README.md Finding 17).
 * The same value written as OpenAPI 3.0's `{ type: "string", format: "date-time", nullable:
 * true }` (what @fastify/swagger already publishes for it) is one `=== null` test and the
 * plain string writer. Response schemas are only serialized (never validated) by Fastify, so
 * only the serializer and the OpenAPI document read them; the document stays the same.
 *
 * The rewrite is a copy: the contracts' schema objects (also used by `Value.Check`, types and
 * request validation) are never changed.
 */
const scalarTypes = new Set(["string", "integer", "number", "boolean"]);

type Schema = Record<string | symbol, unknown>;

function isObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `{ type: "null" }` and nothing else but annotations. */
function isNullOnly(schema: unknown): boolean {
  return isObject(schema) && schema.type === "null" && Object.keys(schema).every((key) => key === "type");
}

/** A scalar with no combinator, reference or `nullable` of its own: safe to mark nullable. */
function isPlainScalar(schema: unknown): schema is Schema {
  return (
    isObject(schema) &&
    typeof schema.type === "string" &&
    scalarTypes.has(schema.type) &&
    schema.nullable === undefined &&
    schema.const === undefined &&
    schema.enum === undefined &&
    schema.$ref === undefined &&
    schema.anyOf === undefined &&
    schema.oneOf === undefined &&
    schema.allOf === undefined
  );
}

/** Keys whose value is one schema, or a map of schemas, or a list of schemas. */
const oneSchemaKeys = ["items", "additionalProperties", "not", "schema"];
const schemaMapKeys = ["properties", "patternProperties", "content"];
const schemaListKeys = ["anyOf", "oneOf", "allOf", "prefixItems"];

/**
 * `schema` with every `anyOf: [<scalar>, { type: "null" }]` (either order) replaced by the
 * scalar marked `nullable: true`, the union's own keywords (description…) kept. Returns the
 * same object when nothing below it changed.
 */
export function serializableSchema(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const union = schema.anyOf;
  if (Array.isArray(union) && union.length === 2 && schema.type === undefined && schema.nullable === undefined) {
    const [a, b] = union;
    const value = isNullOnly(b) && isPlainScalar(a) ? a : isNullOnly(a) && isPlainScalar(b) ? b : undefined;
    if (value) {
      // The union's keywords first and winning, as @fastify/swagger lays out its OpenAPI form.
      const { anyOf: _anyOf, ...own } = schema;
      const merged: Schema = own;
      for (const key of Object.keys(value)) if (!Object.hasOwn(merged, key)) merged[key] = value[key];
      merged.nullable = true;
      return merged;
    }
  }
  let copy: Schema | undefined;
  const set = (key: string, value: unknown) => {
    copy ??= { ...schema };
    copy[key] = value;
  };
  for (const key of oneSchemaKeys) {
    const inner = schema[key];
    const rewritten = serializableSchema(inner);
    if (rewritten !== inner) set(key, rewritten);
  }
  for (const key of schemaMapKeys) {
    const map = schema[key];
    if (!isObject(map)) continue;
    let mapCopy: Schema | undefined;
    for (const name of Object.keys(map)) {
      const rewritten = serializableSchema(map[name]);
      if (rewritten === map[name]) continue;
      mapCopy ??= { ...map };
      mapCopy[name] = rewritten;
    }
    if (mapCopy) set(key, mapCopy);
  }
  for (const key of schemaListKeys) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    const rewritten = list.map(serializableSchema);
    if (rewritten.some((item, i) => item !== list[i])) set(key, rewritten);
  }
  return copy ?? schema;
}

/**
 * Rewrites each route's response schemas (`schema.response`, by status) as above when the
 * route is added, before Fastify compiles their serializers. Registered before any route.
 */
export function registerSerializableResponses(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (!isObject(response)) return;
    let copy: Record<string, unknown> | undefined;
    for (const status of Object.keys(response)) {
      const rewritten = serializableSchema(response[status]);
      if (rewritten === response[status]) continue;
      copy ??= { ...response };
      copy[status] = rewritten;
    }
    if (copy && route.schema) route.schema = { ...route.schema, response: copy };
  });
}

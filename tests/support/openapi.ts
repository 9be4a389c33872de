import type { App } from "@clinic/platform";

export interface Operation {
  service: string;
  method: string;
  /** OpenAPI path, e.g. /api/video/sessions/{session_id}/join */
  path: string;
  key: string;
  secured: boolean;
  parameters: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
  body?: Record<string, unknown>;
}

interface OpenApiDocument {
  security?: unknown[];
  paths: Record<string, Record<string, OpenApiOperation>>;
}
interface OpenApiOperation {
  security?: unknown[];
  parameters?: Operation["parameters"];
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
}

/** Every operation a service documents in its OpenAPI (what `/docs/json` serves). */
export function operationsOf(service: string, app: App): Operation[] {
  const doc = app.swagger() as unknown as OpenApiDocument;
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const security = op.security ?? doc.security ?? [];
      operations.push({
        service,
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        secured: security.length > 0,
        parameters: op.parameters ?? [],
        ...(op.requestBody?.content?.["application/json"]?.schema
          ? { body: op.requestBody.content["application/json"].schema }
          : {}),
      });
    }
  }
  return operations;
}

export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${path}`);
    return encodeURIComponent(value);
  });
}

// The typed API client's types: one `src/lib/api/<service>.gen.ts` per service the web app
// calls, rendered from that service's OpenAPI document by openapi-typescript (`paths` keyed by
// path, `operations` keyed by operationId). Written by gen-api.mjs; the documents' test
// (scripts/openapi-documents.test.ts) renders them again and compares with the committed files.
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";

/** The services the browser calls (through the gateway), by their short names. */
export const clientApis = ["auth", "appointments", "video"] as const;
export type ClientApi = (typeof clientApis)[number];

export const generatedFile = (name: ClientApi): string =>
  fileURLToPath(new URL(`../src/lib/api/${name}.gen.ts`, import.meta.url));

/** The file's whole text; `dir` is the service's folder under apps/ (named in the header). */
export async function renderClientTypes(dir: string, document: unknown): Promise<string> {
  const ast = await openapiTS(structuredClone(document) as OpenAPI3, { alphabetize: true });
  const header = `// generated — do not edit. Source: apps/${dir} OpenAPI document. Regenerate: npm run gen:api -w @clinic/web\n\n`;
  return header + astToString(ast);
}

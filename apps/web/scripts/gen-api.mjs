// Generates the typed API client's types from each service's OpenAPI document.
// Run with `npm run gen:api -w @clinic/web` (node --import tsx), optionally naming services
// (`… -- video`): it builds each service in process (scripts/openapi-documents.ts), asks
// Fastify for its document and writes src/lib/api/<service>.gen.ts (scripts/api-types.ts).
// The generated files are committed, so building the web app never needs the services; a test
// fails when they no longer match the services' documents.
import { writeFile } from "node:fs/promises";
import { buildOpenApiDocuments } from "../../../scripts/openapi-documents.ts";
import { clientApis, generatedFile, renderClientTypes } from "./api-types.ts";

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !clientApis.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`gen-api: unknown service ${unknown.join(", ")} (known: ${clientApis.join(", ")})\n`);
  process.exit(1);
}
for (const { service, document } of await buildOpenApiDocuments(asked.length > 0 ? asked : clientApis)) {
  const target = generatedFile(service.name);
  await writeFile(target, await renderClientTypes(service.dir, document));
  process.stdout.write(`wrote ${target}\n`);
}

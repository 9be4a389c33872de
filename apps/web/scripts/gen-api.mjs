// Generates the typed API client's types from each service's OpenAPI document.
// Run with `npm run gen:api -w @clinic/web` (node --import tsx): it builds every service with an
// in-memory database and a verifier that accepts nothing, asks Fastify for its document and
// writes src/lib/api/<service>.gen.ts through openapi-typescript. The generated files are
// committed, so building the web app never needs the services.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const outDir = resolve(here, "../src/lib/api");

const services = [
  { name: "auth", dir: "auth-service", database: "auth" },
  { name: "appointments", dir: "appointments-service", database: "appointments" },
  { name: "video", dir: "video-service", database: "video" },
];

// The documents never reach a protected route, so the verifier refuses every token.
const verify = async () => {
  throw new Error("gen-api: no tokens are verified while generating types");
};

async function documentOf(service) {
  const entry = resolve(root, "apps", service.dir, "src/index.ts");
  if (!existsSync(entry)) return null;
  const mod = await import(pathToFileURL(entry).href);
  const loadConfig = Object.entries(mod).find(([k, v]) => /^load.*Config$/.test(k) && typeof v === "function")?.[1];
  const config = loadConfig ? loadConfig({ ...process.env, LOG_LEVEL: "silent" }) : undefined;
  const app = await mod.buildApp({
    config,
    database: { service: service.database, dataDir: ":memory:" },
    verify,
  });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
  }
}

const header = (source) =>
  `// generated — do not edit. Source: ${source}. Regenerate: npm run gen:api -w @clinic/web\n\n`;

await mkdir(outDir, { recursive: true });
const only = process.argv.slice(2);
for (const service of services) {
  if (only.length > 0 && !only.includes(service.name)) continue;
  const target = resolve(outDir, `${service.name}.gen.ts`);
  let document = await documentOf(service);
  let source = `apps/${service.dir} OpenAPI document`;
  if (!document) {
    if (existsSync(target)) {
      process.stdout.write(`skip ${service.name}: apps/${service.dir}/src/index.ts does not exist yet\n`);
      continue;
    }
    // First run before the service exists: start from the guide's description of its API.
    const { guideDocuments } = await import("./guide-openapi.mjs");
    document = guideDocuments[service.name];
    source = "scripts/guide-openapi.mjs (service not built yet)";
  }
  const ast = await openapiTS(JSON.parse(JSON.stringify(document)), { alphabetize: true });
  await writeFile(target, header(source) + astToString(ast));
  process.stdout.write(`wrote ${target}\n`);
}

// `npm run lint:openapi` (part of `npm run lint`): Redocly's recommended rules on every
// service's OpenAPI document, as /docs/json serves it. The documents are built in process
// (scripts/openapi-documents.ts) and written to a temporary folder with redocly.yaml and
// .redocly.lint-ignore.yaml beside them (Redocly resolves the ignore file's entries from its
// own folder); any error makes the exit code non-zero.
import { spawnSync } from "node:child_process";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildOpenApiDocuments } from "./openapi-documents.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const redocly = createRequire(import.meta.url).resolve("@redocly/cli/bin/cli.js");

const dir = await mkdtemp(join(tmpdir(), "clinic-openapi-"));
try {
  const files: string[] = [];
  for (const { service, document } of await buildOpenApiDocuments()) {
    files.push(`${service.dir}.json`);
    await writeFile(join(dir, `${service.dir}.json`), `${JSON.stringify(document, null, 2)}\n`);
  }
  for (const name of ["redocly.yaml", ".redocly.lint-ignore.yaml"]) await copyFile(join(root, name), join(dir, name));
  const result = spawnSync(process.execPath, [redocly, "lint", "--config", "redocly.yaml", ...files], {
    cwd: dir,
    stdio: "inherit",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  process.exitCode = result.status ?? 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}

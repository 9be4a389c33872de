import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
export const repoRoot = dirname(benchDir);

/** A child-process server entry of the bench (`bench/servers/x.server.ts`). */
export const serverEntry = (name: string) => join(benchDir, "servers", `${name}.server.ts`);
export const baselineEntry = (name: string) => join(benchDir, "baselines", `${name}.server.ts`);

/** Whether a part of the product exists in this checkout (the bench reports a gap if not). */
export const partExists = (relativePath: string) => existsSync(join(repoRoot, relativePath));

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testDatabase } from "@clinic/platform/testing";

/** A database that outlives one app (restart tests): a PostgreSQL schema, or PGlite files in a temp folder. */
export function durableDatabase(): ReturnType<typeof testDatabase> {
  if (process.env.DATABASE_URL) return testDatabase("video-service");
  const dir = mkdtempSync(join(tmpdir(), "video-restart-"));
  return {
    options: { service: "video-service", dataDir: dir },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

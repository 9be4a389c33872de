import { CompiledQuery } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase, preparedStatement } from "./db.ts";
import { testDatabase } from "./testing/index.ts";

/** `preparedStatement`: such a text runs as a named statement on PostgreSQL, as any text on PGlite. */
describe("prepared statements", () => {
  it("runs a marked text as a named statement on PostgreSQL (prepared once per connection), plainly on PGlite", async () => {
    const target = testDatabase("prepared-test");
    const database = await openDatabase<Record<string, never>>({ ...target.options, poolSize: 1 });
    try {
      const text = preparedStatement("SELECT $1::int + 1 AS n, 'prepared-test' AS tag");
      for (const value of [1, 41]) {
        const { rows } = await database.db.executeQuery<{ n: number }>(CompiledQuery.raw(text, [value]));
        expect(rows[0]?.n).toBe(value + 1);
      }
      const other = await database.db.executeQuery<{ n: number }>(CompiledQuery.raw("SELECT 2 AS n", []));
      expect(other.rows[0]?.n).toBe(2);
      if (database.kind === "postgres") {
        // One pooled connection: the statement it prepared is listed there, and only that one.
        const { rows } = await database.db.executeQuery<{ name: string; statement: string }>(
          CompiledQuery.raw("SELECT name, statement FROM pg_prepared_statements", []),
        );
        expect(rows).toEqual([{ name: expect.stringMatching(/^clinic_prepared_\d+$/), statement: text }]);
      }
    } finally {
      await database.close();
      await target.drop();
    }
  });
});

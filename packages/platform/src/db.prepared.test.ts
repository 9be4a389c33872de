import { CompiledQuery, type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { compiledOnce, openDatabase, type Param, prepared, preparedStatement } from "./db.ts";
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

  it("runs a compiled Kysely query passed through `prepared` as a named statement, one per text", async () => {
    const target = testDatabase("prepared-builder-test");
    const database = await openDatabase<{ pg_type: { typname: string; oid: number } }>({
      ...target.options,
      poolSize: 1,
    });
    try {
      const { db } = database;
      const query = (oid: number) =>
        db.selectFrom("pg_type").select("typname").where("oid", "=", oid).where("typname", "!=", "prepared-builder");
      // The same text with other values: one statement, bound again.
      for (const [oid, typname] of [
        [23, "int4"],
        [25, "text"],
      ] as const) {
        const { rows } = await db.executeQuery(prepared(query(oid).compile()));
        expect(rows).toEqual([{ typname }]);
      }
      if (database.kind === "postgres") {
        const { rows } = await db.executeQuery<{ statement: string }>(
          CompiledQuery.raw("SELECT statement FROM pg_prepared_statements", []),
        );
        expect(rows).toEqual([{ statement: query(0).compile().sql }]);
      }
    } finally {
      await database.close();
      await target.drop();
    }
  });

  it("builds and compiles a `compiledOnce` statement once per database, bound by name: the text and parameters of building it with the values", async () => {
    type DB = { pg_type: { typname: string; oid: number } };
    const target = testDatabase("compiled-once-test");
    const database = await openDatabase<DB>({ ...target.options, poolSize: 1 });
    try {
      const { db } = database;
      const direct = (oid: number, typname: string) =>
        db
          .selectFrom("pg_type")
          .select(["typname", sql<string>`${typname}::text`.as("asked")])
          .where("oid", "=", oid)
          .where("typname", "!=", "compiled-once")
          .where((eb) => eb.or([eb("typname", "=", typname), eb("oid", "=", oid)]))
          .limit(1);
      let builds = 0;
      const statement = compiledOnce((kysely: Kysely<DB>, p: Param<{ oid: number; typname: string }>) => {
        builds++;
        return kysely
          .selectFrom("pg_type")
          .select(["typname", sql<string>`${p("typname")}::text`.as("asked")])
          .where("oid", "=", p("oid"))
          .where("typname", "!=", "compiled-once")
          .where((eb) => eb.or([eb("typname", "=", p("typname")), eb("oid", "=", p("oid"))]))
          .limit(1);
      });
      for (const [oid, typname] of [
        [23, "int4"],
        [25, "text"],
      ] as const) {
        const compiled = statement(db, { oid, typname });
        const expected = direct(oid, typname).compile();
        expect(compiled.sql).toBe(expected.sql);
        expect(compiled.parameters).toEqual(expected.parameters);
        expect((await db.executeQuery(compiled)).rows).toEqual([{ typname, asked: typname }]);
      }
      // A transaction of the same database reuses it.
      const inTransaction = await db.transaction().execute(async (trx) => {
        return (await trx.executeQuery(statement(trx, { oid: 16, typname: "bool" }))).rows;
      });
      expect(inTransaction).toEqual([{ typname: "bool", asked: "bool" }]);
      expect(builds).toBe(1);
      if (database.kind === "postgres") {
        const { rows } = await db.executeQuery<{ statement: string }>(
          CompiledQuery.raw("SELECT statement FROM pg_prepared_statements", []),
        );
        expect(rows).toEqual([{ statement: direct(0, "").compile().sql }]);
      }
      // A placeholder that would not be bound (here: spliced into the text) is refused, not run wrong.
      const spliced = compiledOnce((kysely: Kysely<DB>, p: Param<{ column: string }>) =>
        kysely.selectFrom("pg_type").select(sql.raw<string>(p("column")).as("c")),
      );
      expect(() => spliced(db, { column: "typname" })).toThrow(/not every param became a parameter/);
    } finally {
      await database.close();
      await target.drop();
    }
  });
});

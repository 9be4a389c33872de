import type { AuthUser } from "@clinic/platform";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../testing/video-test-harness.ts";
import { SessionAccess } from "./session-access.ts";
import { touchInProgress } from "./sessions.repository.ts";

const doctor: AuthUser = { id: "doc-c", role: "DOCTOR", clinic_id: "clinic-c", name: "x", email: "x@x.test" };
const facts = {
  session_id: "sess-carried",
  appointment_id: "appt-carried",
  doctor_id: "doc-c",
  patient_id: "pat-c",
  clinic_id: "clinic-c",
};

/** `AllowedAccess.transactionCarrying`: the access row rides on the change's first statement. */
describe("an access row carried by the change's statement", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const rowsOf = async (requestId: string) =>
    (
      await sql<{ action: string; outcome: string }>`
        SELECT action, outcome FROM audit_log WHERE request_id = ${requestId} ORDER BY id
      `.execute(h.app.video.database.db)
    ).rows;

  const allowed = (requestId: string) => {
    const access = new SessionAccess(h.app.video.database.db);
    return access.allow({ user: doctor, requestId }, "join", facts);
  };

  it("commits with the statement that carries it, once, whatever the statement's update found", async () => {
    const access = await allowed("carried-1");
    const found = await access.transactionCarrying(h.app.video.database.db, (trx, audit) =>
      touchInProgress(trx, audit, "no-such-session", new Date()),
    );
    await access.settle();
    expect(found).toBeUndefined();
    expect(await rowsOf("carried-1")).toEqual([{ action: "session.join", outcome: "ALLOWED" }]);
  });

  it("is written before the commit when the change did not take it", async () => {
    const access = await allowed("carried-2");
    await access.transactionCarrying(h.app.video.database.db, async () => undefined, ["consent.given"]);
    await access.settle();
    expect(await rowsOf("carried-2")).toEqual([
      { action: "session.join", outcome: "ALLOWED" },
      { action: "consent.given", outcome: "ALLOWED" },
    ]);
  });

  it("rolled back with a failed change, it is written on its own by settle (the change's rows not)", async () => {
    const access = await allowed("carried-3");
    await expect(
      access.transactionCarrying(
        h.app.video.database.db,
        async (trx, audit) => {
          await touchInProgress(trx, audit, "no-such-session", new Date());
          throw new Error("refused under the lock");
        },
        ["consent.given"],
      ),
    ).rejects.toThrow("refused under the lock");
    await access.settle();
    expect(await rowsOf("carried-3")).toEqual([{ action: "session.join", outcome: "ALLOWED" }]);
  });

  it("is carried by one statement only", async () => {
    const access = await allowed("carried-4");
    await expect(
      access.transactionCarrying(h.app.video.database.db, async (trx, audit) => {
        await touchInProgress(trx, audit, "no-such-session", new Date());
        await touchInProgress(trx, audit, "no-such-session", new Date());
      }),
    ).rejects.toThrow("already carried");
    await access.settle();
    expect(await rowsOf("carried-4")).toHaveLength(1);
  });
});

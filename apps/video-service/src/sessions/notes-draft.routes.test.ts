import { randomUUID } from "node:crypto";
import type { AuthUser } from "@clinic/platform";
import { captureLogs } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

/** The doctor's notes draft (issue 16): during the call, after it, and replaced by the saved notes. */
describe("notes draft: PUT/GET /sessions/{id}/notes/draft", () => {
  const logs = captureLogs();
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ env: { LOG_LEVEL: "debug" }, logStream: logs.stream });
  });
  afterAll(async () => {
    await h.close();
  });

  const draftUrl = (sessionId: string) => `/api/video/sessions/${sessionId}/notes/draft`;
  const putDraft = async (sessionId: string, payload: unknown, user: AuthUser = users.doctor) =>
    h.app.inject({ method: "PUT", url: draftUrl(sessionId), headers: await h.auth(user), payload: payload as object });
  const getDraft = async (sessionId: string, user: AuthUser = users.doctor) =>
    h.app.inject({ method: "GET", url: draftUrl(sessionId), headers: await h.auth(user) });
  const putNotes = async (sessionId: string, payload: unknown, user: AuthUser = users.doctor) =>
    h.app.inject({
      method: "PUT",
      url: `/api/video/sessions/${sessionId}/notes`,
      headers: await h.auth(user),
      payload: payload as object,
    });
  const details = async (sessionId: string) =>
    (await h.app.inject({ url: `/api/video/sessions/${sessionId}`, headers: await h.auth(users.doctor) })).json() as {
      notes: string | null;
      quality_rating: number | null;
      status: string;
    };
  const inProgress = async () => (await h.startedSession()).body.session_id as string;
  const completed = async () => {
    const sessionId = await inProgress();
    expect((await h.end(sessionId)).statusCode).toBe(200);
    return sessionId;
  };
  const storedDraft = (sessionId: string) =>
    h.app.video.database.db
      .selectFrom("notes_drafts")
      .selectAll()
      .where("session_id", "=", sessionId)
      .executeTakeFirst();
  const audit = (sessionId: string) =>
    h.app.video.database.db
      .selectFrom("audit_log")
      .select(["actor_id", "action", "outcome"])
      .where("session_id", "=", sessionId)
      .where("action", "like", "session.%NotesDraft")
      .orderBy("id")
      .execute();

  it("during the call: saves the draft, reads it back, and the session's notes stay the saved ones", async () => {
    const sessionId = await inProgress();
    const empty = await getDraft(sessionId);
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({
      session_id: sessionId,
      notes: "",
      quality_rating: null,
      updated_at: null,
      source: "empty",
    });

    h.advance(5_000);
    const notes = "BP 120/80.\n\tNo chest pain today.";
    const saved = await putDraft(sessionId, { notes });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({
      session_id: sessionId,
      notes,
      quality_rating: null,
      updated_at: h.clock.now.toISOString(),
      source: "draft",
    });

    h.advance(2_000);
    const again = await putDraft(sessionId, { notes: `${notes} Follow-up.`, quality_rating: 4 });
    expect(again.json()).toMatchObject({ notes: `${notes} Follow-up.`, quality_rating: 4 });
    expect(await getDraft(sessionId).then((r) => r.json())).toEqual({
      session_id: sessionId,
      notes: `${notes} Follow-up.`,
      quality_rating: 4,
      updated_at: h.clock.now.toISOString(),
      source: "draft",
    });
    // A draft is written whole: a rating left out is no rating.
    expect((await putDraft(sessionId, { notes: "shorter" })).json()).toMatchObject({ quality_rating: null });
    expect(await storedDraft(sessionId)).toMatchObject({
      notes: "shorter",
      quality_rating: null,
      updated_by: users.doctor.id,
    });

    expect(await details(sessionId)).toMatchObject({ status: "IN_PROGRESS", notes: null, quality_rating: null });
    // The final notes keep the guide's contract: not before the end.
    const early = await putNotes(sessionId, { notes: "final" });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: "SESSION_IN_PROGRESS" });
  });

  it("after the end: the same draft goes on, and saving the final notes replaces it", async () => {
    const sessionId = await inProgress();
    await putDraft(sessionId, { notes: "Started during the call", quality_rating: 2 });
    expect((await h.end(sessionId)).statusCode).toBe(200);
    expect((await getDraft(sessionId)).json()).toMatchObject({ notes: "Started during the call", source: "draft" });

    const continued = await putDraft(sessionId, {
      notes: "Started during the call, finished after",
      quality_rating: 5,
    });
    expect(continued.statusCode).toBe(200);
    expect(await details(sessionId)).toMatchObject({ status: "COMPLETED", notes: null, quality_rating: null });

    const final = await putNotes(sessionId, { notes: "Final notes", quality_rating: 5 });
    expect(final.statusCode).toBe(200);
    expect(await storedDraft(sessionId)).toBeUndefined();
    expect(await details(sessionId)).toMatchObject({ notes: "Final notes", quality_rating: 5 });
    // Without a draft, GET answers the saved notes.
    expect((await getDraft(sessionId)).json()).toMatchObject({
      session_id: sessionId,
      notes: "Final notes",
      quality_rating: 5,
      source: "saved",
      updated_at: expect.any(String),
    });

    // Editing again starts a new draft; the saved notes stay until the next PUT /notes.
    await putDraft(sessionId, { notes: "Final notes, amended", quality_rating: 5 });
    expect((await getDraft(sessionId)).json()).toMatchObject({ notes: "Final notes, amended", source: "draft" });
    expect(await details(sessionId)).toMatchObject({ notes: "Final notes" });
  });

  it("notes sent with the end are the final notes: the draft gives way to them", async () => {
    const sessionId = await inProgress();
    await putDraft(sessionId, { notes: "Draft during the call" });
    const ended = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${sessionId}/end`,
      headers: await h.auth(users.doctor),
      payload: { notes: "Final notes sent with the end" },
    });
    expect(ended.statusCode).toBe(200);
    expect(await storedDraft(sessionId)).toBeUndefined();
    expect((await getDraft(sessionId)).json()).toMatchObject({
      notes: "Final notes sent with the end",
      source: "saved",
    });
  });

  it("the rating is optional on PUT /notes: left out it stays unrated, null clears it", async () => {
    const sessionId = await completed();
    const unrated = await putNotes(sessionId, { notes: "No rating given" });
    expect(unrated.statusCode).toBe(200);
    expect(unrated.json()).toMatchObject({ notes: "No rating given", quality_rating: null });

    expect((await putNotes(sessionId, { quality_rating: 3 })).json()).toMatchObject({
      notes: "No rating given",
      quality_rating: 3,
    });
    const cleared = await putNotes(sessionId, { notes: "Rating withdrawn", quality_rating: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toMatchObject({ notes: "Rating withdrawn", quality_rating: null });
    expect(await details(sessionId)).toMatchObject({ notes: "Rating withdrawn", quality_rating: null });
  });

  it.each([
    ["patient", users.patient],
    ["admin", users.admin],
    ["other doctor", users.otherDoctor],
    ["other patient", users.otherPatient],
    ["admin of another clinic", users.foreignAdmin],
  ])("%s → 403 on both, the draft untouched and the refusal audited", async (_who, user) => {
    const sessionId = await inProgress();
    await putDraft(sessionId, { notes: "Only for the doctor" });
    const write = await putDraft(sessionId, { notes: "overwritten" }, user);
    expect(write.statusCode).toBe(403);
    expect(write.json()).toMatchObject({ status: 403, code: "FORBIDDEN", error: expect.any(String) });
    const read = await getDraft(sessionId, user);
    expect(read.statusCode).toBe(403);
    expect(read.body).not.toContain("Only for the doctor");
    expect(await storedDraft(sessionId)).toMatchObject({ notes: "Only for the doctor" });
    expect(await audit(sessionId)).toEqual([
      { actor_id: users.doctor.id, action: "session.saveNotesDraft", outcome: "ALLOWED" },
      { actor_id: user.id, action: "session.saveNotesDraft", outcome: "DENIED" },
      { actor_id: user.id, action: "session.readNotesDraft", outcome: "DENIED" },
    ]);
  });

  it("no token → 401", async () => {
    const sessionId = await inProgress();
    for (const method of ["GET", "PUT"] as const) {
      const response = await h.app.inject({ method, url: draftUrl(sessionId), payload: { notes: "x" } });
      expect(response.statusCode).toBe(401);
    }
  });

  it.each([
    ["over 500 characters", { notes: "x".repeat(501) }],
    ["a NUL character", { notes: "before\u0000after" }],
    ["a bell character", { notes: "ding\u0007" }],
    ["an escape sequence", { notes: "\u001b[31mred" }],
    ["DEL", { notes: "x\u007f" }],
    ["a C1 control character", { notes: "x\u0085y" }],
    ["no notes", { quality_rating: 3 }],
    ["notes an object", { notes: { text: "x" } }],
    ["a rating of false", { notes: "ok", quality_rating: false }],
    ["a rating of 0", { notes: "ok", quality_rating: 0 }],
    ["a rating of 6", { notes: "ok", quality_rating: 6 }],
    ["a rating of 3.5", { notes: "ok", quality_rating: 3.5 }],
    ["an unknown field", { notes: "ok", mood: "good" }],
  ])("a draft with %s → 400 VALIDATION_FAILED, nothing stored", async (_what, payload) => {
    const sessionId = await inProgress();
    const response = await putDraft(sessionId, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, code: "VALIDATION_FAILED", error: expect.any(String) });
    expect(await storedDraft(sessionId)).toBeUndefined();
  });

  it("accepts exactly 500 characters, newlines, tabs and carriage returns", async () => {
    const sessionId = await inProgress();
    const notes = `${"y".repeat(496)}\r\n\t.`;
    expect(notes).toHaveLength(500);
    const response = await putDraft(sessionId, { notes, quality_rating: null });
    expect(response.statusCode).toBe(200);
    expect((await getDraft(sessionId)).json().notes).toBe(notes);
  });

  it("says in words why control characters are refused, for the draft and the final notes", async () => {
    const refusal = {
      status: 400,
      code: "VALIDATION_FAILED",
      error: "Invalid request body: notes may not contain control characters (line breaks and tabs are fine)",
    };
    const draft = await putDraft(await inProgress(), { notes: "a\u0007b" });
    expect(draft.json()).toMatchObject(refusal);
    // PostgreSQL cannot store NUL: refused before it reaches the database, not a 500.
    const sessionId = await completed();
    const final = await putNotes(sessionId, { notes: "a\u0000b" });
    expect(final.statusCode).toBe(400);
    expect(final.json()).toMatchObject(refusal);
    expect(await details(sessionId)).toMatchObject({ notes: null });
  });

  it("a draft for a session not started → 409 SESSION_NOT_STARTED; cancelled → 409 SESSION_CANCELLED", async () => {
    const { appointment, sessionId } = await h.bookedSession();
    const created = await putDraft(sessionId, { notes: "too early" });
    expect(created.statusCode).toBe(409);
    expect(created.json()).toMatchObject({
      code: "SESSION_NOT_STARTED",
      session_id: sessionId,
      session_status: "CREATED",
    });

    await h.cancelAppointment(appointment.id);
    const cancelled = await putDraft(sessionId, { notes: "too late" });
    expect(cancelled.statusCode).toBe(409);
    expect(cancelled.json()).toMatchObject({ code: "SESSION_CANCELLED", session_status: "CANCELLED" });
    expect(await storedDraft(sessionId)).toBeUndefined();
    // Reading is harmless: there is nothing.
    expect((await getDraft(sessionId)).json()).toMatchObject({ notes: "", source: "empty" });
  });

  it("unknown session → 404; malformed id → 400", async () => {
    const unknown = `sess-${randomUUID()}`;
    expect((await putDraft(unknown, { notes: "x" })).json()).toMatchObject({ status: 404, code: "SESSION_NOT_FOUND" });
    expect((await getDraft(unknown)).json()).toMatchObject({ status: 404, code: "SESSION_NOT_FOUND" });
    expect((await putDraft("sess-nope", { notes: "x" })).json()).toMatchObject({
      status: 400,
      code: "VALIDATION_FAILED",
    });
  });

  it("logs no draft text, at debug level", async () => {
    const sessionId = await inProgress();
    const secret = "Confidential draft marimba";
    await putDraft(sessionId, { notes: secret, quality_rating: 2 });
    await getDraft(sessionId);
    await putDraft(sessionId, { notes: `${secret}\u0000` });
    await h.end(sessionId);
    await putNotes(sessionId, { notes: `${secret} final` });
    expect(logs.text()).toContain(sessionId);
    expect(logs.text()).not.toContain("marimba");
  });
});

import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { formatClock } from "../../../lib/format.ts";
import { ids, session } from "../../../test/fixtures.ts";
import { errorBody, type Recorded, stubNetwork } from "../../../test/network.ts";
import { doctor, renderApp } from "../../../test/render.tsx";
import { NOTES_MAX } from "./notes-panel.tsx";

const notesPath = `/video/api/video/sessions/${ids.session}/notes`;
const draftPath = `${notesPath}/draft`;
const detailsPath = `/video/api/video/sessions/${ids.session}`;
const panelPath = `/doctor/sessions/${ids.session}/notes`;
const savedAt = "2026-01-25T14:31:00.000Z";

type Reply = { status: number; body?: unknown } | ((request: Recorded) => { status: number; body?: unknown });

const draft = (notes: string, quality_rating: number | null = null, source = "draft") => ({
  status: 200,
  body: { session_id: ids.session, notes, quality_rating, updated_at: source === "empty" ? null : savedAt, source },
});
/** The server's answer to a draft save: what was sent, stamped. */
const savesDraft: Reply = ({ body }) => {
  const sent = body as { notes: string; quality_rating?: number | null };
  return {
    status: 200,
    body: {
      session_id: ids.session,
      notes: sent.notes,
      quality_rating: sent.quality_rating ?? null,
      updated_at: "2026-01-25T14:40:00.000Z",
      source: "draft",
    },
  };
};
const savesNotes: Reply = ({ body }) => ({
  status: 200,
  body: { session_id: ids.session, notes: null, quality_rating: null, ...(body as object), updated_at: savedAt },
});

/** The doctor's post-call notes page, as the router shows it after End Call. */
async function openPanel(routes: Record<string, Reply> = {}, saved: { notes?: string; rating?: number } = {}) {
  const network = stubNetwork({
    [`GET ${detailsPath}`]: {
      status: 200,
      body: session({ notes: saved.notes ?? null, quality_rating: saved.rating ?? null }),
    },
    [`GET ${draftPath}`]: draft("", null, "empty"),
    [`PUT ${draftPath}`]: savesDraft,
    [`PUT ${notesPath}`]: savesNotes,
    ...routes,
  });
  const view = renderApp(panelPath, doctor);
  const notes = await screen.findByRole("textbox", { name: /Consultation Notes/ });
  return { ...view, network, notes };
}

const tick = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));

describe("NotesPanel after the call", () => {
  it("shows the read-only duration and session id", async () => {
    await openPanel();
    expect(screen.getByRole("heading", { name: "Session Completed" })).toBeInTheDocument();
    expect(screen.getByText("Duration: 30 minutes")).toBeInTheDocument();
    expect(screen.getByText(ids.session)).toBeInTheDocument();
  });

  it("continues the draft written during the call, rating included", async () => {
    const { notes } = await openPanel({ [`GET ${draftPath}`]: draft("Typed during the call", 3) });
    expect(notes).toHaveValue("Typed during the call");
    expect(screen.getByRole("radio", { name: "3 stars" })).toBeChecked();
    expect(screen.getByText(`Draft saved ${formatClock(savedAt)}`)).toBeInTheDocument();
    expect(screen.getByText(/Continuing your draft/)).toBeInTheDocument();
  });

  it("without a draft starts from the saved notes", async () => {
    const { notes } = await openPanel(
      { [`GET ${draftPath}`]: draft("Saved before", 4, "saved") },
      { notes: "Saved before", rating: 4 },
    );
    expect(notes).toHaveValue("Saved before");
    expect(screen.getByRole("radio", { name: "4 stars" })).toBeChecked();
    expect(screen.queryByText(/Continuing your draft/)).not.toBeInTheDocument();
  });

  it("counts characters as the doctor types", async () => {
    const { notes } = await openPanel();
    expect(screen.getByText(`0/${NOTES_MAX}`)).toBeInTheDocument();
    await userEvent.type(notes, "Chest pain");
    expect(screen.getByText(`10/${NOTES_MAX}`)).toBeInTheDocument();
  });

  it("never holds more than 500 characters, typed or pasted, nor control characters", async () => {
    const { notes } = await openPanel();
    fireEvent.change(notes, { target: { value: "x".repeat(600) } });
    expect(notes).toHaveValue("x".repeat(500));
    expect(screen.getByText(`500/${NOTES_MAX}`)).toBeInTheDocument();
    await userEvent.type(notes, "more");
    expect((notes as HTMLTextAreaElement).value).toHaveLength(500);
    fireEvent.change(notes, { target: { value: "line one\u000bline\ttwo\u0007\nthree" } });
    expect(notes).toHaveValue("line oneline\ttwo\nthree");
  });

  it("saves the draft 1 s after the last keystroke, whole, and says so", async () => {
    const { network, notes } = await openPanel({ [`GET ${draftPath}`]: draft("Draft", 2) });
    vi.useFakeTimers();
    fireEvent.change(notes, { target: { value: "Draft, more" } });
    await tick(600);
    fireEvent.change(notes, { target: { value: "Draft, more text" } });
    expect(screen.getByRole("status")).toHaveTextContent("Saving…");
    await tick(999);
    expect(network.search("PUT", draftPath)).toHaveLength(0);
    await tick(1);
    expect(network.search("PUT", draftPath).map((r) => r.body)).toEqual([
      { notes: "Draft, more text", quality_rating: 2 },
    ]);
    expect(screen.getByRole("status")).toHaveTextContent(`Draft saved ${formatClock("2026-01-25T14:40:00.000Z")}`);
    // Nothing changed since: no more saves.
    await tick(5_000);
    expect(network.search("PUT", draftPath)).toHaveLength(1);
    expect(network.search("PUT", notesPath)).toHaveLength(0);
  });

  it("saves the draft at once when the field loses focus, and a rating change too", async () => {
    const { network, notes } = await openPanel();
    vi.useFakeTimers();
    fireEvent.change(notes, { target: { value: "Left the field" } });
    fireEvent.blur(notes);
    await tick(0);
    expect(network.search("PUT", draftPath).map((r) => r.body)).toEqual([
      { notes: "Left the field", quality_rating: null },
    ]);
    vi.useRealTimers();
    // The radio inputs are visually hidden; a person clicks the star drawn by the label.
    const fiveStars = screen.getByRole("radio", { name: "5 stars" });
    await userEvent.click(document.querySelector(`label[for="${fiveStars.id}"]`) as HTMLElement);
    await waitFor(() =>
      expect(network.search("PUT", draftPath).at(-1)?.body).toEqual({ notes: "Left the field", quality_rating: 5 }),
    );
  });

  it("a failed draft save says 'Not saved' and Retry sends it again", async () => {
    let fail = true;
    const { network, notes } = await openPanel({
      [`PUT ${draftPath}`]: (request) => (fail ? errorBody(503, "SERVICE_UNAVAILABLE", "down") : savesDraft(request)),
    });
    await userEvent.type(notes, "Important");
    fireEvent.blur(notes);
    expect(await screen.findByText("Not saved —")).toBeInTheDocument();
    expect(notes).toHaveValue("Important");
    fail = false;
    await userEvent.click(screen.getByRole("button", { name: "Retry saving the draft" }));
    expect(await screen.findByText(/^Draft saved/)).toBeInTheDocument();
    expect(network.search("PUT", draftPath).at(-1)?.body).toEqual({ notes: "Important", quality_rating: null });
  });

  it("saves without a rating: the rating is optional", async () => {
    const { network, notes } = await openPanel();
    await userEvent.type(notes, "Follow-up in two weeks");
    await userEvent.click(screen.getByRole("button", { name: "Save Notes" }));
    expect(await screen.findByText("Notes saved.")).toBeInTheDocument();
    expect(network.search("PUT", notesPath).map((r) => r.body)).toEqual([
      { notes: "Follow-up in two weeks", quality_rating: null },
    ]);
    expect(screen.queryByText(/Choose a rating/)).not.toBeInTheDocument();
  });

  it("saves notes and rating with PUT /notes and confirms", async () => {
    const { network, notes } = await openPanel();
    await userEvent.type(notes, "Recommended lab work");
    // Mantine's Rating commits on a click of the star (its label) or Enter/Space on the radio.
    screen.getByRole("radio", { name: "4 stars" }).focus();
    await userEvent.keyboard("{Enter}");
    await userEvent.click(screen.getByRole("button", { name: "Save Notes" }));
    expect(await screen.findByText("Notes saved.")).toBeInTheDocument();
    const [put] = network.search("PUT", notesPath);
    expect(put?.body).toEqual({ notes: "Recommended lab work", quality_rating: 4 });
    expect(put?.authorization).toBe("Bearer access-doc-1");
  });

  it("Save Notes right after typing drops the pending draft save: no draft lands after the notes", async () => {
    const { network, notes } = await openPanel();
    fireEvent.change(notes, { target: { value: "Quick" } });
    await userEvent.click(screen.getByRole("button", { name: "Save Notes" }));
    expect(await screen.findByText("Notes saved.")).toBeInTheDocument();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const order = network.requests.filter((r) => r.method === "PUT").map((r) => r.path);
    expect(order.at(-1)).toBe(notesPath);
    expect(network.search("PUT", draftPath)).toHaveLength(0);
  });

  it("keeps what was typed and explains when saving fails", async () => {
    const { notes } = await openPanel({
      [`GET ${draftPath}`]: draft("Existing", 5),
      [`PUT ${notesPath}`]: errorBody(409, "SESSION_NOT_COMPLETED", "Notes can be added after the session ends"),
    });
    await userEvent.click(screen.getByRole("button", { name: "Save Notes" }));
    expect(await screen.findByText("Notes can be added after the session ends")).toBeInTheDocument();
    expect(notes).toHaveValue("Existing");
  });

  it("cannot be edited when the notes cannot be loaded, and offers to load them again", async () => {
    let down = true;
    stubNetwork({
      [`GET ${detailsPath}`]: { status: 200, body: session() },
      [`GET ${draftPath}`]: () => (down ? errorBody(403, "FORBIDDEN", "Forbidden") : draft("Back again")),
    });
    renderApp(panelPath, doctor);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("You are not authorized to access this appointment");
    expect(screen.queryByRole("textbox", { name: /Consultation Notes/ })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Save Notes" })).toBeDisabled();
    down = false;
    await userEvent.click(within(alert).getByRole("button", { name: "Load notes again" }));
    expect(await screen.findByRole("textbox", { name: /Consultation Notes/ })).toHaveValue("Back again");
  });
});

describe("leaving the notes panel", () => {
  it("Done with nothing changed leaves at once", async () => {
    const { router } = await openPanel({}, { notes: "" });
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/doctor/appointments"));
  });

  it("Done with notes not saved asks first; Keep editing stays, Leave anyway goes", async () => {
    const { router, notes } = await openPanel();
    await userEvent.type(notes, "Unsaved thought");
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    const dialog = await screen.findByRole("dialog", { name: "Leave without saving the notes?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Keep editing" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(router.state.location.pathname).toBe(panelPath);
    expect(notes).toHaveValue("Unsaved thought");

    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    const again = await screen.findByRole("dialog", { name: "Leave without saving the notes?" });
    await userEvent.click(within(again).getByRole("button", { name: "Leave anyway" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/doctor/appointments"));
  });

  it("after Save Notes, Done leaves without asking", async () => {
    const { router, notes } = await openPanel();
    await userEvent.type(notes, "All saved");
    await userEvent.click(screen.getByRole("button", { name: "Save Notes" }));
    await screen.findByText("Notes saved.");
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/doctor/appointments"));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("the browser asks before unloading while a draft save is pending or failed, not once it is saved", async () => {
    let fail = false;
    const { notes } = await openPanel({
      [`PUT ${draftPath}`]: (request) => (fail ? errorBody(503, "SERVICE_UNAVAILABLE", "down") : savesDraft(request)),
    });
    const unload = () => {
      const event = new Event("beforeunload", { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(unload()).toBe(false);
    fireEvent.change(notes, { target: { value: "Pending" } });
    expect(unload()).toBe(true);
    fireEvent.blur(notes);
    await screen.findByText(/^Draft saved/);
    // Saved as a draft: a reload loses nothing (the panel asks only on in-app navigation).
    expect(unload()).toBe(false);
    fail = true;
    fireEvent.change(notes, { target: { value: "Pending, then failed" } });
    fireEvent.blur(notes);
    await screen.findByText("Not saved —");
    expect(unload()).toBe(true);
  });
});

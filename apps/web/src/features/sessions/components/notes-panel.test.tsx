import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ids } from "../../../test/fixtures.ts";
import { errorBody, stubNetwork } from "../../../test/network.ts";
import { renderWithProviders } from "../../../test/render.tsx";
import { NOTES_MAX, NotesPanel } from "./notes-panel.tsx";

const notesPath = `/video/api/video/sessions/${ids.session}/notes`;

function renderPanel(initial: { notes?: string | null; rating?: number | null } = {}) {
  const onDone = vi.fn();
  renderWithProviders(
    <NotesPanel
      sessionId={ids.session}
      durationMinutes={30}
      initialNotes={initial.notes ?? null}
      initialRating={initial.rating ?? null}
      onDone={onDone}
    />,
  );
  return { onDone, notes: screen.getByRole("textbox", { name: /Consultation Notes/ }) };
}

describe("NotesPanel", () => {
  it("shows the read-only duration and session id", () => {
    stubNetwork({});
    renderPanel();
    expect(screen.getByRole("heading", { name: "Session Completed" })).toBeInTheDocument();
    expect(screen.getByText("Duration: 30 minutes")).toBeInTheDocument();
    expect(screen.getByText(ids.session)).toBeInTheDocument();
  });

  it("counts characters as the doctor types", async () => {
    stubNetwork({});
    const { notes } = renderPanel();
    expect(screen.getByText(`0/${NOTES_MAX}`)).toBeInTheDocument();
    await userEvent.type(notes, "Chest pain");
    expect(screen.getByText(`10/${NOTES_MAX}`)).toBeInTheDocument();
  });

  it("never holds more than 500 characters, typed or pasted", async () => {
    stubNetwork({});
    const { notes } = renderPanel();
    fireEvent.change(notes, { target: { value: "x".repeat(600) } });
    expect(notes).toHaveValue("x".repeat(500));
    expect(screen.getByText(`500/${NOTES_MAX}`)).toBeInTheDocument();
    await userEvent.type(notes, "more");
    expect((notes as HTMLTextAreaElement).value).toHaveLength(500);
  });

  it("requires a rating from 1 to 5 before saving, and sends nothing until then", async () => {
    const network = stubNetwork({});
    const { notes } = renderPanel();
    await userEvent.type(notes, "Follow-up in two weeks");
    await userEvent.click(screen.getByRole("button", { name: "Save Notes" }));
    expect(await screen.findByText("Choose a rating from 1 to 5 stars.")).toBeInTheDocument();
    expect(network.search("PUT", notesPath)).toHaveLength(0);
  });

  it("saves notes and rating with PUT /notes and confirms", async () => {
    const network = stubNetwork({
      [`PUT ${notesPath}`]: ({ body }) => ({
        status: 200,
        body: { session_id: ids.session, ...(body as object), updated_at: "2026-01-25T14:35:00Z" },
      }),
    });
    const { notes } = renderPanel();
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

  it("keeps what was typed and explains when saving fails", async () => {
    stubNetwork({
      [`PUT ${notesPath}`]: errorBody(409, "SESSION_NOT_COMPLETED", "Notes can be added after the session ends"),
    });
    const { notes } = renderPanel({ notes: "Existing", rating: 5 });
    await userEvent.click(screen.getByRole("button", { name: "Save Notes" }));
    expect(await screen.findByText("Notes can be added after the session ends")).toBeInTheDocument();
    expect(notes).toHaveValue("Existing");
  });

  it("Done leaves the panel", async () => {
    stubNetwork({});
    const { onDone } = renderPanel();
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    await waitFor(() => expect(onDone).toHaveBeenCalledOnce());
  });
});

import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatClock } from "../../../lib/format.ts";
import { ids, joined, session } from "../../../test/fixtures.ts";
import { errorBody, type Recorded, stubNetwork } from "../../../test/network.ts";
import { doctor, patient, renderApp } from "../../../test/render.tsx";

const join = `/video/api/video/sessions/${ids.session}/join`;
const end = `/video/api/video/sessions/${ids.session}/end`;
const details = `/video/api/video/sessions/${ids.session}`;
const draftPath = `/video/api/video/sessions/${ids.session}/notes/draft`;
const callPath = `/sessions/${ids.session}/call`;
const draftSavedAt = "2026-01-25T14:12:00.000Z";

type Reply = { status: number; body?: unknown } | ((request: Recorded) => { status: number; body?: unknown });

const draft = (notes: string, source = "draft") => ({
  status: 200,
  body: { session_id: ids.session, notes, quality_rating: null, updated_at: draftSavedAt, source },
});
const savesDraft: Reply = ({ body }) => ({
  status: 200,
  body: {
    session_id: ids.session,
    notes: (body as { notes: string }).notes,
    quality_rating: null,
    updated_at: draftSavedAt,
    source: "draft",
  },
});

/**
 * The camera is refused (the browser's API, not ours): the call window still shows, with its
 * controls, which is all the notes need; no WebRTC in jsdom.
 */
function noCamera() {
  const getUserMedia = vi.fn(async () => {
    throw new DOMException("Permission denied", "NotAllowedError");
  });
  Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
}

afterEach(() => {
  Reflect.deleteProperty(navigator, "mediaDevices");
});

async function openCall(routes: Record<string, Reply> = {}, user = doctor) {
  noCamera();
  const network = stubNetwork({
    [`POST ${join}`]: joined,
    [`GET ${details}`]: { status: 200, body: session({ status: "IN_PROGRESS", end_time: null }) },
    [`GET ${draftPath}`]: draft("", "empty"),
    [`PUT ${draftPath}`]: savesDraft,
    ...routes,
  });
  const view = renderApp(callPath, user);
  const toolbar = await screen.findByRole("toolbar", { name: "Call controls" }, { timeout: 8000 });
  return { ...view, network, toolbar };
}

const notesButton = (toolbar: HTMLElement) => within(toolbar).getByRole("button", { name: "Notes" });

describe("notes during the call", () => {
  it("Notes opens the panel beside the video and loads the draft back, without leaving the call", async () => {
    const { network, toolbar } = await openCall({ [`GET ${draftPath}`]: draft("Typed before the reload") });
    expect(network.search("GET", draftPath)).toHaveLength(0);
    await userEvent.click(notesButton(toolbar));
    const panel = await screen.findByRole("complementary", { name: "Notes" });
    expect(await within(panel).findByRole("textbox", { name: /Consultation Notes/ })).toHaveValue(
      "Typed before the reload",
    );
    expect(within(panel).getByText(`Draft saved ${formatClock(draftSavedAt)}`)).toBeInTheDocument();
    expect(notesButton(toolbar)).toHaveAttribute("aria-expanded", "true");
    // The call goes on: same window, joined once, not ended.
    expect(screen.getByLabelText("Your video")).toBeInTheDocument();
    expect(within(toolbar).getByRole("button", { name: "End Call" })).toBeInTheDocument();
    expect(network.search("POST", join)).toHaveLength(1);
    expect(network.search("POST", end)).toHaveLength(0);
  });

  it("typing saves the draft 1 s after the last keystroke; closed and reopened, the text stays", async () => {
    const { network, toolbar } = await openCall();
    await userEvent.click(notesButton(toolbar));
    const notes = await screen.findByRole("textbox", { name: /Consultation Notes/ });
    await waitFor(() => expect(notes).toHaveFocus());
    vi.useFakeTimers();
    fireEvent.change(notes, { target: { value: "BP 120/80" } });
    expect(screen.getByText("Saving…")).toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(999));
    expect(network.search("PUT", draftPath)).toHaveLength(0);
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(network.search("PUT", draftPath).map((r) => r.body)).toEqual([{ notes: "BP 120/80", quality_rating: null }]);
    expect(screen.getByText(`Draft saved ${formatClock(draftSavedAt)}`)).toBeInTheDocument();

    // Closing hides the panel but does not drop a save still waiting for its debounce.
    fireEvent.change(notes, { target: { value: "BP 120/80, pulse 70" } });
    fireEvent.click(screen.getByRole("button", { name: "Close notes" }));
    expect(screen.queryByRole("complementary", { name: "Notes" })).not.toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(network.search("PUT", draftPath).at(-1)?.body).toEqual({
      notes: "BP 120/80, pulse 70",
      quality_rating: null,
    });
    vi.useRealTimers();
    await userEvent.click(notesButton(toolbar));
    expect(screen.getByRole("textbox", { name: /Consultation Notes/ })).toHaveValue("BP 120/80, pulse 70");
    expect(network.search("GET", draftPath)).toHaveLength(1);
  });

  it("the patient has no Notes button and never asks for the draft", async () => {
    const { network, toolbar } = await openCall({}, patient);
    expect(within(toolbar).getByRole("button", { name: "Leave" })).toBeInTheDocument();
    expect(within(toolbar).queryByRole("button", { name: "Notes" })).not.toBeInTheDocument();
    expect(network.search("GET", draftPath)).toHaveLength(0);
  });

  it("leaving the call page while a save is pending asks first", async () => {
    const { router, toolbar } = await openCall();
    await userEvent.click(notesButton(toolbar));
    const notes = await screen.findByRole("textbox", { name: /Consultation Notes/ });
    fireEvent.change(notes, { target: { value: "Not yet saved" } });
    await userEvent.click(screen.getByRole("link", { name: "Appointments" }));
    const dialog = await screen.findByRole("dialog", { name: "Leave without saving the notes?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Keep editing" }));
    expect(router.state.location.pathname).toBe(callPath);
    expect(screen.getByRole("textbox", { name: /Consultation Notes/ })).toHaveValue("Not yet saved");
  });

  it("ending the call with a failed save: the post-call panel continues with the unsaved text and saves it", async () => {
    let ended = false;
    let draftUp = false;
    const { router, network, toolbar } = await openCall({
      [`GET ${details}`]: () => ({
        status: 200,
        body: ended ? session() : session({ status: "IN_PROGRESS", end_time: null }),
      }),
      [`PUT ${draftPath}`]: (request) =>
        draftUp ? savesDraft(request) : errorBody(503, "SERVICE_UNAVAILABLE", "down"),
      [`POST ${end}`]: () => {
        ended = true;
        return { status: 200, body: { session_id: ids.session, status: "COMPLETED" } };
      },
    });
    await userEvent.click(notesButton(toolbar));
    const notes = await screen.findByRole("textbox", { name: /Consultation Notes/ });
    fireEvent.change(notes, { target: { value: "Findings during the call" } });
    fireEvent.blur(notes);
    expect(await screen.findByText("Not saved —")).toBeInTheDocument();

    draftUp = true;
    await userEvent.click(within(toolbar).getByRole("button", { name: "End Call" }));
    const dialog = await screen.findByRole("dialog", { name: "End the consultation?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "End consultation" }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/doctor/sessions/${ids.session}/notes`));
    await screen.findByRole("heading", { name: "Session Completed" });
    expect(await screen.findByRole("textbox", { name: /Consultation Notes/ })).toHaveValue("Findings during the call");
    await waitFor(() =>
      expect(network.search("PUT", draftPath).at(-1)?.body).toEqual({
        notes: "Findings during the call",
        quality_rating: null,
      }),
    );
    expect(await screen.findByText(`Draft saved ${formatClock(draftSavedAt)}`)).toBeInTheDocument();
  });
});

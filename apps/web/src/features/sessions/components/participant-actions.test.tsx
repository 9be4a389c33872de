import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ids, joined, session } from "../../../test/fixtures.ts";
import { errorBody, stubNetwork } from "../../../test/network.ts";
import { doctor, patient, renderApp } from "../../../test/render.tsx";

const join = `/video/api/video/sessions/${ids.session}/join`;
const details = `/video/api/video/sessions/${ids.session}`;
const callPath = `/sessions/${ids.session}/call`;
const attendee = (id: string, user_type: "DOCTOR" | "PATIENT", name: string) => ({
  attendee_id: id,
  user_type,
  name,
  join_time: "2026-01-25T14:00:00Z",
  leave_time: null,
  status: "CONNECTED" as const,
});

/** No camera (the call window renders all the same, without opening a socket). */
function noCamera() {
  const getUserMedia = vi.fn(async () => {
    throw new DOMException("Permission denied", "NotAllowedError");
  });
  Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
}

afterEach(() => {
  Reflect.deleteProperty(navigator, "mediaDevices");
});

describe("participant control in the call window", () => {
  it("the doctor mutes the patient, and removes them after confirming; no controls on the doctor's own row", async () => {
    noCamera();
    const mute = `/video/api/video/sessions/${ids.session}/attendees/attendee-pat/mute`;
    const remove = `/video/api/video/sessions/${ids.session}/attendees/attendee-pat/remove`;
    const network = stubNetwork({
      [`POST ${join}`]: joined,
      [`GET ${details}`]: {
        status: 200,
        body: session({
          status: "IN_PROGRESS",
          attendees: [attendee("attendee-doc", "DOCTOR", "Dr. Ada"), attendee("attendee-pat", "PATIENT", "John Doe")],
        }),
      },
      [`POST ${mute}`]: {
        status: 200,
        body: {
          session_id: ids.session,
          attendee_id: "attendee-pat",
          status: "REQUESTED",
          requested_at: "2026-01-25T14:05:00Z",
        },
      },
      [`POST ${remove}`]: {
        status: 200,
        body: {
          session_id: ids.session,
          attendee_id: "attendee-pat",
          user_id: "pat-1",
          status: "REMOVED",
          removed_at: "2026-01-25T14:06:00Z",
        },
      },
    });
    renderApp(callPath, doctor);
    // Lazy route chunks: generous on a loaded machine.
    const participants = await screen.findByRole("region", { name: "Participants" }, { timeout: 10_000 });
    await userEvent.click(
      await within(participants).findByRole("button", { name: "Mute John Doe" }, { timeout: 10_000 }),
    );
    await waitFor(() => expect(network.search("POST", mute)).toHaveLength(1));
    expect(within(participants).queryByRole("button", { name: "Mute Dr. Ada" })).toBeNull();
    expect(within(participants).queryByRole("button", { name: "Remove Dr. Ada" })).toBeNull();

    await userEvent.click(within(participants).getByRole("button", { name: "Remove John Doe" }));
    const dialog = await screen.findByRole("dialog", { name: "Remove John Doe?" });
    expect(dialog).toHaveTextContent("cannot join this consultation again unless you send them a new invite link");
    expect(network.search("POST", remove)).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole("button", { name: "Remove from call" }));
    await waitFor(() => expect(network.search("POST", remove)).toHaveLength(1));
  });

  it("the removed patient whose page asks to join again is told plainly, with no retry", async () => {
    noCamera();
    stubNetwork({
      [`POST ${join}`]: errorBody(
        403,
        "PARTICIPANT_REMOVED",
        "The doctor removed you from this consultation. To join again, ask the clinic for a new invite link.",
      ),
      [`GET ${details}`]: { status: 200, body: session({ status: "IN_PROGRESS" }) },
    });
    renderApp(callPath, patient);
    const alert = await screen.findByText(/The doctor removed you from this consultation\./, {}, { timeout: 10_000 });
    expect(alert).toHaveTextContent("The doctor removed you from this consultation.");
    expect(screen.queryByRole("button", { name: "Retry" })).toBeNull();
  });
});

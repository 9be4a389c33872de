import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { session } from "../../../test/fixtures.ts";
import { doctor, patient, renderWithProviders } from "../../../test/render.tsx";
import { type CallState, initialCallState, type RemoteAttendee } from "../media/call-state.ts";
import { CallWindow } from "./call-window.tsx";

const remote = (overrides: Partial<RemoteAttendee>): RemoteAttendee => ({
  attendee_id: "att-other",
  name: "Dr. Ada Smith",
  user_type: "DOCTOR",
  stream: {} as MediaStream,
  audio: true,
  video: true,
  connection: "connected",
  ...overrides,
});
const noop = () => undefined;

function show(role: "DOCTOR" | "PATIENT", state: Partial<CallState>) {
  renderWithProviders(
    <CallWindow
      role={role}
      state={{ ...initialCallState, phase: "connected", ...state }}
      session={session({ status: "IN_PROGRESS" })}
      elapsedSeconds={60}
      onToggleAudio={noop}
      onToggleVideo={noop}
      onToggleScreenShare={noop}
      onRetry={noop}
      onEnd={noop}
    />,
    role === "DOCTOR" ? doctor : patient,
  );
}

/** Weak-network adaptation (issue 12): what each side reads when a link drops to audio only. */
describe("call window: audio-only notices", () => {
  it("this side's weak link: says it switched to audio only, and shows the other's card instead of video", () => {
    show("PATIENT", { adaptation: "audio-only", remotes: [remote({})] });
    expect(screen.getByText("Your connection is weak — switched to audio only")).toBeInTheDocument();
    expect(screen.getByLabelText("Doctor card")).toHaveTextContent("Audio only (weak connection)");
  });

  it("the other side's weak link: names them, with their card in place of the video", () => {
    show("DOCTOR", { remotes: [remote({ name: "Attendee", user_type: "PATIENT", audioOnly: true })] });
    // The doctor sees the patient's name from the session, not the signalling's.
    expect(screen.getByText("John Doe's connection is weak — audio only")).toBeInTheDocument();
    expect(screen.getByLabelText("Patient card")).toHaveTextContent("Audio only (weak connection)");
    expect(screen.queryByText(/Your connection is weak/)).not.toBeInTheDocument();
  });

  it("no notice and no card while both links carry video", () => {
    show("DOCTOR", { remotes: [remote({ user_type: "PATIENT" })] });
    expect(screen.queryByText(/connection is weak/)).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Patient card")).not.toBeInTheDocument();
  });
});

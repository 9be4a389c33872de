import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadCallScreen } from "../../../app/routes/lazy-routes.ts";
import { FakeSocket } from "../../../test/fake-socket.ts";
import { ids, joined, session } from "../../../test/fixtures.ts";
import { errorBody, stubNetwork } from "../../../test/network.ts";
import { doctor, patient, renderApp } from "../../../test/render.tsx";

const join = `/video/api/video/sessions/${ids.session}/join`;
const details = `/video/api/video/sessions/${ids.session}`;
const callPath = `/sessions/${ids.session}/call`;

/** The browser's camera API (not ours) refusing access, as when the user clicks "Block". */
function denyCamera() {
  const getUserMedia = vi.fn(async () => {
    throw new DOMException("Permission denied", "NotAllowedError");
  });
  Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
  return getUserMedia;
}

/** A camera + microphone stream whose tracks count their stops. */
class FakeStream {
  stopped = 0;
  private readonly tracks = [0, 1].map(() => ({
    enabled: true,
    stop: () => {
      this.stopped++;
    },
    getSettings: () => ({}),
  }));
  getTracks = () => this.tracks;
  getAudioTracks = () => this.tracks.slice(0, 1);
  getVideoTracks = () => this.tracks.slice(1);
}

// The call route's module is loaded once up front, as the app preloads it: on a busy machine
// its first import can outlast a `findBy`'s 1 s, which is not what these tests are about.
beforeAll(async () => {
  await loadCallScreen();
}, 60_000);
beforeEach(() => {
  FakeSocket.all = [];
});
afterEach(() => {
  Reflect.deleteProperty(navigator, "mediaDevices");
});

describe("call window error states", () => {
  it("camera/microphone denied: explains how to allow it and retries on request", async () => {
    const getUserMedia = denyCamera();
    stubNetwork({
      [`POST ${join}`]: joined,
      [`GET ${details}`]: { status: 200, body: session({ status: "IN_PROGRESS" }) },
    });
    renderApp(callPath, doctor);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Camera and microphone access was blocked");
    expect(getUserMedia).toHaveBeenCalledWith({ audio: true, video: true });
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(getUserMedia).toHaveBeenCalledTimes(2));
    expect(await screen.findByRole("alert")).toHaveTextContent("Camera and microphone access was blocked");
  });

  it("asks for the camera while POST /join is under way, and the call uses that stream (asked once)", async () => {
    const stream = new FakeStream();
    const getUserMedia = vi.fn(async () => stream as unknown as MediaStream);
    Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
    vi.stubGlobal("WebSocket", FakeSocket);
    let askedBeforeJoinAnswered = false;
    stubNetwork({
      [`POST ${join}`]: () => {
        askedBeforeJoinAnswered = getUserMedia.mock.calls.length === 1;
        return joined;
      },
      [`GET ${details}`]: { status: 200, body: session({ status: "IN_PROGRESS" }) },
    });
    renderApp(callPath, doctor);
    await waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    expect(askedBeforeJoinAnswered).toBe(true);
    expect(getUserMedia).toHaveBeenCalledOnce();
    expect(stream.stopped).toBe(0);
  });

  it("join refused: the camera and microphone asked for meanwhile are released", async () => {
    const stream = new FakeStream();
    Object.defineProperty(navigator, "mediaDevices", {
      value: { getUserMedia: vi.fn(async () => stream as unknown as MediaStream) },
      configurable: true,
    });
    stubNetwork({
      [`POST ${join}`]: errorBody(403, "FORBIDDEN", "Forbidden"),
      [`GET ${details}`]: errorBody(403, "FORBIDDEN", "Forbidden"),
    });
    renderApp(callPath, doctor);
    expect(await screen.findByRole("alert")).toHaveTextContent("You are not authorized to access this appointment");
    await waitFor(() => expect(stream.stopped).toBe(2));
  });

  it("403 on join: not authorized, with a way back", async () => {
    denyCamera();
    stubNetwork({
      [`POST ${join}`]: errorBody(403, "FORBIDDEN", "Forbidden"),
      [`GET ${details}`]: errorBody(403, "FORBIDDEN", "Forbidden"),
    });
    renderApp(callPath, doctor);
    expect(await screen.findByRole("alert")).toHaveTextContent("You are not authorized to access this appointment");
    expect(screen.getByRole("button", { name: "Back to appointments" })).toBeInTheDocument();
  });

  it("404 on join: a notice and back to the list", async () => {
    denyCamera();
    stubNetwork({
      [`POST ${join}`]: errorBody(404, "SESSION_NOT_FOUND", "Session not found"),
      [`GET ${details}`]: errorBody(404, "SESSION_NOT_FOUND", "Session not found"),
    });
    const { router } = renderApp(callPath, doctor);
    expect(await screen.findByRole("alert")).toHaveTextContent("Session not found");
    await userEvent.click(screen.getByRole("button", { name: "Back to appointments" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/doctor/appointments"));
  });

  it("a session that is over: the patient is told the consultation has ended", async () => {
    denyCamera();
    stubNetwork({
      [`POST ${join}`]: errorBody(409, "SESSION_NOT_IN_PROGRESS", "The session is not in progress"),
      [`GET ${details}`]: { status: 200, body: session({ status: "COMPLETED" }) },
    });
    renderApp(callPath, patient);
    expect(await screen.findByText("The consultation has ended")).toBeInTheDocument();
  });

  it("503 on join: service temporarily unavailable, with Retry that asks again", async () => {
    denyCamera();
    const network = stubNetwork({
      [`POST ${join}`]: errorBody(503, "SERVICE_UNAVAILABLE", "down"),
      [`GET ${details}`]: errorBody(503, "SERVICE_UNAVAILABLE", "down"),
    });
    renderApp(callPath, doctor);
    expect(await screen.findByRole("alert")).toHaveTextContent("The service is temporarily unavailable");
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(network.search("POST", join)).toHaveLength(2));
  });
});

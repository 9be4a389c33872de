import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { joinAhead } from "../../features/sessions/api/join-ahead.ts";
import { FakeSocket } from "../../test/fake-socket.ts";
import { appointment, ids, joined, session } from "../../test/fixtures.ts";
import { stubNetwork } from "../../test/network.ts";
import { patient, renderApp } from "../../test/render.tsx";

const list = "/appointments/api/appointments";
const details = `/video/api/video/sessions/${ids.session}`;
const page = (items: unknown[]) => ({
  status: 200,
  body: { total: items.length, limit: 100, offset: 0, appointments: items },
});

const consentText = (required: boolean) => ({
  status: 200,
  body: {
    clinic_id: "clinic-1",
    version: 2,
    text: "Video visits are private.",
    updated_at: "2026-01-25T13:00:00Z",
    required,
  },
});

afterEach(() => {
  vi.restoreAllMocks();
  Reflect.deleteProperty(navigator, "mediaDevices");
});

describe("patient page", () => {
  it("waits with a clear message and Join disabled until the doctor starts", async () => {
    stubNetwork({
      [`GET ${list}`]: page([appointment({ session_id: ids.session })]),
      [`GET ${details}`]: { status: 200, body: session({ status: "CREATED" }) },
    });
    renderApp("/patient", patient);
    expect(await screen.findByText(/Your doctor will start the call/)).toBeInTheDocument();
    expect(screen.getByText("With Dr. Ada Smith")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Join" })).toBeDisabled();
  });

  it("enables Join when the session is in progress and opens the call", async () => {
    stubNetwork({
      [`GET ${list}`]: page([appointment({ session_id: ids.session })]),
      [`GET ${details}`]: { status: 200, body: session({ status: "IN_PROGRESS" }) },
    });
    const { router } = renderApp("/patient", patient);
    const join = await screen.findByRole("button", { name: "Join" });
    await waitFor(() => expect(join).toBeEnabled());
    expect(screen.getByText("Your doctor has started the consultation.")).toBeInTheDocument();
    await userEvent.click(join);
    await waitFor(() => expect(router.state.location.pathname).toBe(`/sessions/${ids.session}/call`));
  });

  it("consent given: the Join click itself asks for the join and the camera, once, and the call uses them", async () => {
    const getUserMedia = vi.fn(async () => ({
      getTracks: () => [],
      getAudioTracks: () => [],
      getVideoTracks: () => [],
    }));
    Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
    vi.stubGlobal("WebSocket", FakeSocket);
    FakeSocket.all = [];
    const network = stubNetwork({
      [`GET ${list}`]: page([appointment({ session_id: ids.session })]),
      [`GET ${details}`]: { status: 200, body: session({ status: "IN_PROGRESS" }) },
      "GET /video/api/video/consent-text": consentText(true),
      [`POST ${details}/join`]: joined,
    });
    const start = vi.spyOn(joinAhead, "start");
    renderApp("/patient", patient);
    const join = await screen.findByRole("button", { name: "Join" }, { timeout: 10_000 });
    await waitFor(() => expect(join).toBeEnabled(), { timeout: 10_000 });
    // The call screen's consent text is prefetched when the appointment is due.
    await waitFor(() => expect(network.search("GET", "/video/api/video/consent-text")).toHaveLength(1), {
      timeout: 10_000,
    });
    await userEvent.click(join);
    expect(start).toHaveBeenCalledWith(ids.session);
    await waitFor(() => expect(FakeSocket.all).toHaveLength(1), { timeout: 10_000 });
    expect(network.search("POST", `${details}/join`)).toHaveLength(1);
    expect(getUserMedia).toHaveBeenCalledOnce();
  });

  it("consent not answered: the Join click starts nothing; the consent step comes first", async () => {
    const network = stubNetwork({
      [`GET ${list}`]: page([appointment({ session_id: ids.session })]),
      [`GET ${details}`]: { status: 200, body: session({ status: "IN_PROGRESS", consent: null }) },
      "GET /video/api/video/consent-text": consentText(true),
    });
    const start = vi.spyOn(joinAhead, "start");
    renderApp("/patient", patient);
    const join = await screen.findByRole("button", { name: "Join" }, { timeout: 10_000 });
    await waitFor(() => expect(join).toBeEnabled(), { timeout: 10_000 });
    await waitFor(() => expect(network.search("GET", "/video/api/video/consent-text")).toHaveLength(1), {
      timeout: 10_000,
    });
    await userEvent.click(join);
    expect(await screen.findByText("Video visits are private.", {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(start).not.toHaveBeenCalled();
    expect(network.search("POST", `${details}/join`)).toHaveLength(0);
  });

  it("says so when there is no upcoming appointment", async () => {
    stubNetwork({ [`GET ${list}`]: page([appointment({ status: "COMPLETED" })]) });
    renderApp("/patient", patient);
    expect(await screen.findByText("You have no upcoming video appointments.")).toBeInTheDocument();
  });
});

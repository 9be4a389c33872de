import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { authTokens } from "../../../lib/auth-tokens.ts";
import { ids, joined, session } from "../../../test/fixtures.ts";
import { stubNetwork } from "../../../test/network.ts";
import { doctor, patient, renderApp } from "../../../test/render.tsx";

const minute = 60_000;
const configPath = "/auth/api/auth/client-config";
const logoutPath = "/auth/api/auth/logout";
const listPath = "/appointments/api/appointments";
/** A clinic with a 2-minute idle limit: the warning shows after 1 minute without activity. */
const routes = {
  [`GET ${configPath}`]: {
    status: 200,
    body: { idle_logoff_min: 2, session_max_hours: 12, clinic_time_zone: "UTC" },
  },
  [`POST ${logoutPath}`]: { status: 204 },
  [`GET ${listPath}`]: { status: 200, body: { total: 0, limit: 100, offset: 0, appointments: [] } },
};

/** The fake clock: intervals and Date only, so that loading screens and fetches run as usual. */
const advance = (ms: number) => act(() => vi.advanceTimersByTime(ms));
const warning = () => screen.queryByRole("dialog", { name: "Are you still there?" });

async function signedInOnAppointments() {
  const network = stubNetwork(routes);
  const view = renderApp("/doctor/appointments", doctor);
  // The first render loads the layout's code: more than findBy's default second on a busy machine.
  await screen.findByRole("button", { name: "Log out" }, { timeout: 10_000 });
  // The clinic's limit has arrived (until then the default, 15 minutes, applies).
  await waitFor(() => expect(network.search("GET", configPath)).toHaveLength(1));
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
  return { network, ...view };
}

beforeEach(() => {
  window.localStorage.clear();
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
});
afterEach(() => {
  Reflect.deleteProperty(navigator, "mediaDevices");
});

describe("automatic logoff after the clinic's idle limit (fake clock)", () => {
  it("warns a minute before with a countdown; a stray mouse move does not dismiss it, Stay signed in does", async () => {
    const { network } = await signedInOnAppointments();
    await advance(59_000);
    expect(warning()).toBeNull();
    await advance(1_000);
    expect(warning()).toHaveTextContent("You will be signed out in 1:00 for inactivity");
    await advance(1_000);
    expect(screen.getByRole("timer")).toHaveTextContent("You will be signed out in 0:59 for inactivity");

    fireEvent.pointerMove(window);
    await advance(1_000);
    expect(screen.getByRole("timer")).toHaveTextContent("0:58");

    fireEvent.click(screen.getByRole("button", { name: "Stay signed in" }));
    expect(warning()).toBeNull();
    // A full minute again before the next warning: the idle time started over.
    await advance(59_000);
    expect(warning()).toBeNull();
    await advance(2_000);
    expect(warning()).not.toBeNull();
    expect(network.search("POST", logoutPath)).toHaveLength(0);
    expect(authTokens.get()).not.toBeNull();
  });

  it("activity on the page before the warning keeps the person signed in", async () => {
    const { network } = await signedInOnAppointments();
    await advance(50_000);
    fireEvent.keyDown(window, { key: "a" });
    await advance(50_000);
    fireEvent.touchStart(window);
    await advance(50_000);
    expect(warning()).toBeNull();
    expect(network.search("POST", logoutPath)).toHaveLength(0);
  });

  it("activity in another tab (its storage event) closes the warning here", async () => {
    await signedInOnAppointments();
    await advance(61_000);
    expect(warning()).not.toBeNull();
    const value = JSON.stringify({ at: Date.now(), idle_ms: 2 * minute });
    window.localStorage.setItem("clinic.last-activity", value);
    act(() => {
      window.dispatchEvent(new StorageEvent("storage", { key: "clinic.last-activity", newValue: value }));
    });
    expect(warning()).toBeNull();
  });

  it("at the limit: signs out on the server with reason idle, and the login page says why", async () => {
    const { network, router } = await signedInOnAppointments();
    await advance(2 * minute);
    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
    expect(network.search("POST", logoutPath)).toHaveLength(1);
    expect(authTokens.get()).toBeNull();
    expect(authTokens.lastSignOut()).toBe("idle");
    expect(await screen.findByRole("status")).toHaveTextContent(
      "You were signed out because the app was not used for a while",
    );
  });

  it("Sign out now in the warning signs out at once", async () => {
    const { network, router } = await signedInOnAppointments();
    await advance(61_000);
    expect(warning()).not.toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Sign out now" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
    expect(network.search("POST", logoutPath)).toHaveLength(1);
    expect(authTokens.lastSignOut()).toBe("logout");
  });
});

/** The browser's WebSocket (not ours), driven by the test as the signalling server would. */
class FakeSocket {
  static readonly OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send() {}
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

describe("a connected call counts as activity", () => {
  it("keeps a patient in a consultation signed in without touching the page; the idle time runs again after it", async () => {
    FakeSocket.all = [];
    vi.stubGlobal("WebSocket", FakeSocket);
    const stream = { getTracks: () => [], getAudioTracks: () => [], getVideoTracks: () => [] };
    Object.defineProperty(navigator, "mediaDevices", {
      value: { getUserMedia: vi.fn(async () => stream) },
      configurable: true,
    });
    const network = stubNetwork({
      ...routes,
      [`POST /video/api/video/sessions/${ids.session}/join`]: joined,
      [`GET /video/api/video/sessions/${ids.session}`]: { status: 200, body: session({ status: "IN_PROGRESS" }) },
      "GET /video/api/video/consent-text": {
        status: 200,
        body: {
          clinic_id: "clinic-1",
          version: 1,
          text: "Consent.",
          updated_at: "2026-11-30T10:00:00Z",
          required: true,
        },
      },
    });
    renderApp(`/sessions/${ids.session}/call`, patient);
    await waitFor(() => expect(FakeSocket.all).toHaveLength(1), { timeout: 10_000 });
    await waitFor(() => expect(network.search("GET", configPath)).toHaveLength(1));
    const socket = FakeSocket.all[0] as FakeSocket;
    act(() => {
      socket.open();
      socket.receive({ type: "welcome", session_id: ids.session, attendee_id: "att-1", attendees: [] });
    });

    await advance(5 * minute);
    expect(warning()).toBeNull();
    expect(network.search("POST", logoutPath)).toHaveLength(0);

    act(() => socket.receive({ type: "session.ended", session_id: ids.session, reason: "ENDED_BY_DOCTOR" }));
    expect(await screen.findByText("The consultation has ended")).toBeInTheDocument();
    await advance(59_000);
    expect(warning()).toBeNull();
    await advance(2_000);
    expect(warning()).not.toBeNull();
  });
});

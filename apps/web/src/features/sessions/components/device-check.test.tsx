import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorBody, stubNetwork } from "../../../test/network.ts";
import { patient, renderWithProviders } from "../../../test/render.tsx";
import { detectBrowser } from "../precall/browser-guidance.ts";
import { DeviceCheck } from "./device-check.tsx";

const connectivityPath = "/video/api/video/connectivity";
const userAgents = {
  firefox: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  iphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  chrome: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  edge: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  samsung:
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
  android:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  mac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
};

/** A camera + microphone stream as the browser hands it over (the parts the check reads). */
function fakeStream(videoId = "cam-1", audioId = "mic-1") {
  const track = (kind: string, deviceId: string) => ({
    kind,
    enabled: true,
    stop: vi.fn(),
    getSettings: () => ({ deviceId }),
  });
  const video = track("video", videoId);
  const audio = track("audio", audioId);
  return {
    getTracks: () => [video, audio],
    getVideoTracks: () => [video],
    getAudioTracks: () => [audio],
  } as unknown as MediaStream;
}

const devices = [
  { kind: "videoinput", deviceId: "cam-1", label: "Front camera", groupId: "g1" },
  { kind: "videoinput", deviceId: "cam-2", label: "USB camera", groupId: "g2" },
  { kind: "audioinput", deviceId: "mic-1", label: "Built-in microphone", groupId: "g1" },
  { kind: "audiooutput", deviceId: "spk-1", label: "Speakers", groupId: "g1" },
];

/** The browser's media API (not ours): getUserMedia answers `answer`. */
function stubMedia(answer: () => Promise<MediaStream>) {
  const getUserMedia = vi.fn(answer);
  Object.defineProperty(navigator, "mediaDevices", {
    value: {
      getUserMedia,
      enumerateDevices: vi.fn(async () => devices),
      addEventListener: vi.fn(),
      removeEventListener: vi.fn(),
    },
    configurable: true,
  });
  return getUserMedia;
}

const refuse = (name: string) => async () => {
  throw new DOMException("refused", name);
};

function useAgent(agent: string) {
  vi.spyOn(navigator, "userAgent", "get").mockReturnValue(agent);
}

/**
 * The browser's RTCPeerConnection (not ours), gathering candidates for the relay test: with
 * `relay` it finds a relayed address, without it gathering ends with none.
 */
function stubPeerConnection(relay: boolean) {
  const created: { config: RTCConfiguration; closed: boolean }[] = [];
  class FakePeerConnection {
    onicecandidate: ((event: { candidate: { candidate: string } | null }) => void) | null = null;
    onicegatheringstatechange: (() => void) | null = null;
    iceGatheringState = "new";
    private readonly record: { config: RTCConfiguration; closed: boolean };
    constructor(config: RTCConfiguration) {
      this.record = { config, closed: false };
      created.push(this.record);
    }
    createDataChannel() {
      return {};
    }
    async createOffer() {
      return { type: "offer", sdp: "v=0" };
    }
    async setLocalDescription() {
      setTimeout(() => {
        if (relay) {
          this.onicecandidate?.({
            candidate: { candidate: "candidate:1 1 udp 41885439 203.0.113.7 50000 typ relay raddr 0.0.0.0 rport 0" },
          });
        }
        this.iceGatheringState = "complete";
        this.onicegatheringstatechange?.();
        this.onicecandidate?.({ candidate: null });
      }, 5);
    }
    close() {
      this.record.closed = true;
    }
  }
  vi.stubGlobal("RTCPeerConnection", FakePeerConnection);
  return created;
}

/**
 * The browser's WebSocket (not ours), for the signalling probe: `ok` answers probe.ok and closes
 * with 1000, as the video service does; `blocked` fails like an upgrade a proxy refuses.
 */
function stubProbeSocket(answer: "ok" | "blocked") {
  const urls: string[] = [];
  class FakeSocket {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    readyState = 0;
    onopen: (() => void) | null = null;
    onmessage: ((event: { data: unknown }) => void) | null = null;
    onerror: (() => void) | null = null;
    onclose: ((event: { code: number }) => void) | null = null;
    constructor(url: string) {
      urls.push(url);
      setTimeout(() => {
        if (answer === "blocked") {
          this.readyState = 3;
          this.onerror?.();
          this.onclose?.({ code: 1006 });
          return;
        }
        this.readyState = 1;
        this.onopen?.();
        this.onmessage?.({ data: JSON.stringify({ type: "probe.ok" }) });
        this.readyState = 3;
        this.onclose?.({ code: 1000 });
      }, 5);
    }
    close() {
      this.readyState = 3;
    }
  }
  vi.stubGlobal("WebSocket", FakeSocket);
  return urls;
}

const withTurn = {
  status: 200,
  body: {
    media_provider: "embedded",
    ice_servers: [
      { urls: "stun:stun.example:3478" },
      { urls: ["turn:turn.example:3478"], username: "1:check-x", credential: "c" },
    ],
    ice_transport_policy: "all",
    relay_configured: true,
  },
};

beforeEach(() => {
  localStorage.clear();
  stubProbeSocket("ok");
});
afterEach(() => {
  Reflect.deleteProperty(navigator, "mediaDevices");
  vi.restoreAllMocks();
});

describe("pre-call check: camera and microphone", () => {
  it("blocked in Firefox: Firefox's own steps and a Retry that asks again", async () => {
    useAgent(userAgents.firefox);
    const getUserMedia = stubMedia(refuse("NotAllowedError"));
    stubNetwork({ [`GET ${connectivityPath}`]: { status: 200, body: { ...withTurn.body, relay_configured: false } } });
    renderWithProviders(<DeviceCheck />, patient);
    await userEvent.click(screen.getByRole("button", { name: "Check camera and microphone" }));
    const alert = await screen.findByRole("alert", { name: /blocked/ });
    expect(alert).toHaveTextContent("Camera and microphone are blocked");
    const help = within(alert).getByRole("region", { name: "How to allow the camera and microphone" });
    expect(help).toHaveTextContent("To allow them in Firefox");
    expect(help).toHaveTextContent("crossed-out camera icon");
    expect(within(help).getAllByRole("listitem").length).toBeGreaterThanOrEqual(3);
    await userEvent.click(within(alert).getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(getUserMedia).toHaveBeenCalledTimes(2));
  });

  it("blocked on an iPhone: the iOS Settings steps, not Chrome's", async () => {
    useAgent(userAgents.iphone);
    stubMedia(refuse("NotAllowedError"));
    stubNetwork({});
    renderWithProviders(<DeviceCheck />, patient);
    await userEvent.click(screen.getByRole("button", { name: "Check camera and microphone" }));
    const help = await screen.findByRole("region", { name: "How to allow the camera and microphone" });
    expect(help).toHaveTextContent("To allow them in iPhone or iPad");
    expect(help).toHaveTextContent("Website Settings");
    expect(help).not.toHaveTextContent("address bar (the camera icon)");
  });

  it("no camera or microphone at all: says so, with what to do and Retry", async () => {
    stubMedia(refuse("NotFoundError"));
    stubNetwork({});
    renderWithProviders(<DeviceCheck />, patient);
    await userEvent.click(screen.getByRole("button", { name: "Check camera and microphone" }));
    const alert = await screen.findByRole("alert", { name: "No camera or microphone found" });
    expect(alert).toHaveTextContent("Connect a camera and a microphone");
    expect(within(alert).getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });

  it("works: preview, pickers of the browser's devices; a picked camera is used exactly and remembered (ids only)", async () => {
    const getUserMedia = stubMedia(async () => fakeStream());
    stubNetwork({ [`GET ${connectivityPath}`]: { status: 200, body: { ...withTurn.body, relay_configured: false } } });
    renderWithProviders(<DeviceCheck />, patient);
    await userEvent.click(screen.getByRole("button", { name: "Check camera and microphone" }));
    expect(await screen.findByText("Your camera and microphone work.")).toBeInTheDocument();
    expect(screen.getByLabelText("Camera preview")).toBeInTheDocument();
    expect(getUserMedia).toHaveBeenLastCalledWith({ audio: true, video: true });
    const camera = await screen.findByRole("combobox", { name: "Camera" });
    expect(
      within(camera)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual(["Front camera", "USB camera"]);
    // jsdom has no setSinkId, like Safari: the speaker cannot be chosen by the page, and it says so.
    expect(screen.queryByRole("combobox", { name: "Speaker" })).not.toBeInTheDocument();
    expect(screen.getByText(/plays sound through the device's current speaker/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Play test sound" })).toBeInTheDocument();

    getUserMedia.mockImplementation(async () => fakeStream("cam-2"));
    await userEvent.selectOptions(camera, "cam-2");
    await waitFor(() =>
      expect(getUserMedia).toHaveBeenLastCalledWith({
        audio: { deviceId: { exact: "mic-1" } },
        video: { deviceId: { exact: "cam-2" } },
      }),
    );
    expect(JSON.parse(localStorage.getItem("clinic.devices") ?? "{}")).toEqual({
      videoinput: "cam-2",
      audioinput: null,
      audiooutput: null,
    });
    await waitFor(() => expect(screen.getByRole("combobox", { name: "Camera" })).toHaveValue("cam-2"));
  });
});

describe("pre-call check: connection test verdicts", () => {
  beforeEach(() => {
    stubMedia(async () => fakeStream());
  });

  it("the relay gives an address: Your connection is ready (relay-only, with the check's TURN entry)", async () => {
    const probes = stubProbeSocket("ok");
    const peers = stubPeerConnection(true);
    const network = stubNetwork({ [`GET ${connectivityPath}`]: withTurn });
    renderWithProviders(<DeviceCheck />, patient);
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    expect(await screen.findByRole("status", { name: "Your connection is ready" })).toHaveTextContent(
      "relay server answered",
    );
    expect(network.search("GET", connectivityPath)).toHaveLength(1);
    expect(peers).toHaveLength(1);
    expect(peers[0]?.config).toEqual({
      iceServers: [{ urls: ["turn:turn.example:3478"], username: "1:check-x", credential: "c" }],
      iceTransportPolicy: "relay",
    });
    expect(peers[0]?.closed).toBe(true);
    // The WebSocket probe went through the gateway, as signalling does.
    expect(probes).toEqual([`${location.origin.replace(/^http/, "ws")}/video/api/video/signal-probe`]);
  });

  it("no WebSocket gets through: the real-time connection is blocked, though HTTP and the relay answer", async () => {
    stubProbeSocket("blocked");
    stubPeerConnection(true);
    stubNetwork({ [`GET ${connectivityPath}`]: withTurn });
    renderWithProviders(<DeviceCheck />, patient);
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    const alert = await screen.findByRole("alert", {
      name: "We could not reach the video service's real-time connection",
    });
    expect(alert).toHaveTextContent("Your network blocks the real-time connection the call needs (WebSocket)");
    expect(screen.queryByRole("status", { name: "Your connection is ready" })).toBeNull();
  });

  it("the relay gives nothing: Calls may fail on this network", async () => {
    stubPeerConnection(false);
    stubNetwork({ [`GET ${connectivityPath}`]: withTurn });
    renderWithProviders(<DeviceCheck />, patient);
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    const alert = await screen.findByRole("alert", {
      name: "Calls may fail on this network: the relay is unreachable",
    });
    expect(alert).toHaveTextContent("Try another network");
  });

  it("the video service does not answer: We could not reach the video service", async () => {
    stubNetwork({ [`GET ${connectivityPath}`]: errorBody(502, "BAD_GATEWAY", "Bad gateway") });
    renderWithProviders(<DeviceCheck />, patient);
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    expect(await screen.findByRole("alert", { name: "We could not reach the video service" })).toHaveTextContent(
      "We could not reach the video service — check that you are online",
    );
  });

  it("no relay configured: ready once the video service answers, and no allocation is tried", async () => {
    const peers = stubPeerConnection(true);
    stubNetwork({ [`GET ${connectivityPath}`]: { status: 200, body: { ...withTurn.body, relay_configured: false } } });
    renderWithProviders(<DeviceCheck />, patient);
    // The camera check starts the connection test too.
    await userEvent.click(screen.getByRole("button", { name: "Check camera and microphone" }));
    expect(await screen.findByRole("status", { name: "Your connection is ready" })).toHaveTextContent(
      "The video service answered.",
    );
    expect(peers).toHaveLength(0);
  });
});

describe("which browser's steps", () => {
  it("tells the browsers apart by their user agent", () => {
    expect(detectBrowser(userAgents.chrome)).toBe("chrome");
    expect(detectBrowser(userAgents.edge)).toBe("edge");
    expect(detectBrowser(userAgents.firefox)).toBe("firefox");
    expect(detectBrowser(userAgents.iphone)).toBe("safari-ios");
    expect(detectBrowser(userAgents.mac)).toBe("safari-mac");
    expect(detectBrowser(userAgents.samsung)).toBe("samsung");
    expect(detectBrowser(userAgents.android)).toBe("chrome-android");
    expect(detectBrowser("curl/8.0")).toBe("other");
  });
});

// Over 150 lines on purpose: the signalling state machine reads best in one place.
import {
  type ClientSignal,
  type ServerSignal,
  SIGNAL_HEARTBEAT_INTERVAL_MS,
  type SignalAttendee,
  SignalCloseCodes,
} from "@clinic/contracts/signalling";
import { ApiError } from "../../../lib/api-error.ts";
import { backoffDelayMs, MAX_RECONNECT_ATTEMPTS } from "./backoff.ts";
import {
  type CallCredentials,
  type CallEngine,
  CallStore,
  describeMediaError,
  type Rejoin,
  type RemoteAttendee,
} from "./call-state.ts";
import { classifyQuality, type PacketCounters, sampleStats } from "./connection-quality.ts";
import { PeerLink } from "./peer-link.ts";
import { signallingUrl } from "./signalling-url.ts";

const STATS_MS = 2_000;

/**
 * The embedded media provider in the browser: camera + microphone, the video service's
 * signalling WebSocket and one RTCPeerConnection per remote attendee.
 * A dropped socket is rejoined through POST /join with backoff; the server replaces the old
 * attendee, so a reconnect never counts twice.
 */
export class EmbeddedCall implements CallEngine {
  private readonly store = new CallStore();
  private readonly links = new Map<string, PeerLink>();
  private socket: WebSocket | null = null;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private counters: PacketCounters | null = null;
  private screenTrack: MediaStreamTrack | null = null;
  private left = false;
  /** Connects refused in a row with `unavailable` (4503); a `welcome` resets it. */
  private unavailableInARow = 0;

  constructor(
    private credentials: CallCredentials,
    private readonly rejoin: Rejoin,
  ) {}

  getState = () => this.store.get();
  subscribe = (listener: () => void) => this.store.subscribe(listener);

  async start() {
    this.left = false;
    if (!(await this.acquireMedia())) return;
    this.store.update({ phase: "connecting", message: null });
    this.connect();
    clearInterval(this.statsTimer);
    this.statsTimer = setInterval(() => void this.sampleQuality(), STATS_MS);
  }

  async retry() {
    const { phase } = this.store.get();
    if (phase === "media-denied" || phase === "media-error") return this.start();
    if (phase === "failed") {
      this.store.update({ reconnectAttempt: 0 });
      this.scheduleReconnect(0);
    }
  }

  setAudio(enabled: boolean) {
    for (const track of this.store.get().localStream?.getAudioTracks() ?? []) track.enabled = enabled;
    this.store.update({ audioEnabled: enabled });
    this.sendMediaState();
  }

  setVideo(enabled: boolean) {
    for (const track of this.store.get().localStream?.getVideoTracks() ?? []) track.enabled = enabled;
    this.store.update({ videoEnabled: enabled });
    this.sendMediaState();
  }

  async toggleScreenShare() {
    if (this.screenTrack) return this.stopScreenShare();
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
    const track = display.getVideoTracks()[0];
    if (!track) return;
    this.screenTrack = track;
    track.onended = () => void this.stopScreenShare();
    await Promise.all([...this.links.values()].map((link) => link.replaceVideoTrack(track)));
    this.store.update({ screenSharing: true, previewStream: display });
  }

  leave() {
    this.left = true;
    this.teardown();
  }

  private async stopScreenShare() {
    const camera = this.store.get().localStream?.getVideoTracks()[0] ?? null;
    this.screenTrack?.stop();
    this.screenTrack = null;
    await Promise.all([...this.links.values()].map((link) => link.replaceVideoTrack(camera)));
    this.store.update({ screenSharing: false, previewStream: this.store.get().localStream });
  }

  private async acquireMedia(): Promise<boolean> {
    if (this.store.get().localStream) return true;
    this.store.update({ phase: "starting", message: null });
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      if (this.left) {
        for (const track of stream.getTracks()) track.stop();
        return false;
      }
      this.store.update({ localStream: stream, previewStream: stream });
      return true;
    } catch (error) {
      this.store.update(describeMediaError(error));
      return false;
    }
  }

  private connect() {
    const ws = new WebSocket(signallingUrl(this.credentials.signaling_url, this.credentials.join_token, location));
    this.socket = ws;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      this.store.update({ phase: "connected", reconnectAttempt: 0, nextRetryInMs: null, message: null });
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.send({ type: "heartbeat" }), SIGNAL_HEARTBEAT_INTERVAL_MS);
      this.sendMediaState();
    };
    ws.onmessage = (event) => {
      if (this.socket !== ws || typeof event.data !== "string") return;
      let message: ServerSignal;
      try {
        message = JSON.parse(event.data) as ServerSignal;
      } catch {
        return;
      }
      void this.handle(message).catch(() => undefined);
    };
    ws.onclose = (event) => {
      if (this.socket !== ws) return;
      this.socket = null;
      clearInterval(this.heartbeat);
      this.onSocketClosed(event.code);
    };
  }

  private async handle(message: ServerSignal) {
    switch (message.type) {
      case "welcome":
        this.unavailableInARow = 0;
        this.store.update({ selfAttendeeId: message.attendee_id });
        for (const attendee of message.attendees) {
          if (attendee.attendee_id === message.attendee_id || attendee.status !== "CONNECTED") continue;
          this.addRemote(attendee);
          await this.linkFor(attendee.attendee_id).offer();
        }
        return;
      case "attendee.joined":
        this.addRemote(message.attendee);
        this.sendMediaState();
        return;
      case "attendee.left":
        this.dropRemote(message.attendee_id);
        return;
      case "offer":
        return this.linkFor(message.from).acceptOffer(message.sdp);
      case "answer":
        return this.links.get(message.from)?.acceptAnswer(message.sdp);
      case "ice":
        return this.links.get(message.from)?.addIce(message.candidate);
      case "media":
        this.store.updateRemote(message.from, { audio: message.audio, video: message.video });
        return;
      case "session.ended":
        this.store.update({ phase: "ended", endedReason: message.reason, message: null });
        this.left = true;
        this.teardown();
        return;
      case "replaced":
        this.becomeReplaced();
        return;
      case "error":
        this.store.update({ message: message.message });
        return;
      case "heartbeat":
        return;
    }
  }

  private onSocketClosed(code: number) {
    if (this.left) return;
    if (code === SignalCloseCodes.sessionEnded) {
      this.store.update({ phase: "ended" });
      this.left = true;
      this.teardown();
    } else if (code === SignalCloseCodes.replaced) {
      this.becomeReplaced();
    } else if (code === SignalCloseCodes.forbidden || code === SignalCloseCodes.sessionNotFound) {
      this.fail("You are not authorized to access this appointment");
    } else if (code === SignalCloseCodes.unavailable) {
      this.retryWhenAvailable();
    } else {
      this.scheduleReconnect(this.store.get().reconnectAttempt);
    }
  }

  private scheduleReconnect(attempt: number) {
    this.closeLinks();
    if (attempt >= MAX_RECONNECT_ATTEMPTS) {
      this.fail("The connection to the consultation was lost. Check your internet connection and try again.");
      return;
    }
    const delay = backoffDelayMs(attempt);
    this.store.update({ phase: "reconnecting", reconnectAttempt: attempt + 1, nextRetryInMs: delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.reconnect(attempt + 1), delay);
  }

  /**
   * The server is up but cannot serve signalling for now (it lost its link to the other
   * servers): the socket opened and was closed at once, so the attempt count of a drop (reset
   * on open) would never grow. Backs off 1 s, 2 s … 30 s by its own count and never gives up,
   * reusing the join token (it still connects: nothing replaced it): no rejoin per try. A
   * token that expired meanwhile is refused with 4401 and takes the usual rejoin path.
   */
  private retryWhenAvailable() {
    this.closeLinks();
    const attempt = this.unavailableInARow++;
    const delay = backoffDelayMs(attempt);
    this.store.update({ phase: "reconnecting", reconnectAttempt: attempt + 1, nextRetryInMs: delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.left) this.connect();
    }, delay);
  }

  private async reconnect(attempt: number) {
    if (this.left) return;
    try {
      this.credentials = await this.rejoin();
      if (!this.left) this.connect();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        this.store.update({ phase: "ended" });
        this.left = true;
        this.teardown();
      } else if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
        this.fail(error.error);
      } else {
        this.scheduleReconnect(attempt);
      }
    }
  }

  private addRemote(attendee: SignalAttendee) {
    const existing = this.store.get().remotes.find((r) => r.attendee_id === attendee.attendee_id);
    if (existing) return;
    const remote: RemoteAttendee = {
      attendee_id: attendee.attendee_id,
      name: attendee.name,
      user_type: attendee.user_type,
      stream: null,
      audio: true,
      video: true,
      connection: "new",
    };
    this.store.update({ remotes: [...this.store.get().remotes, remote] });
  }

  private dropRemote(attendeeId: string) {
    this.links.get(attendeeId)?.close();
    this.links.delete(attendeeId);
    this.store.update({ remotes: this.store.get().remotes.filter((r) => r.attendee_id !== attendeeId) });
  }

  private linkFor(remoteId: string): PeerLink {
    const existing = this.links.get(remoteId);
    if (existing) return existing;
    const localStream = this.store.get().localStream ?? new MediaStream();
    const link = new PeerLink({
      remoteId,
      iceServers: this.credentials.ice_servers,
      iceTransportPolicy: this.credentials.ice_transport_policy,
      localStream,
      videoTrack: this.screenTrack ?? localStream.getVideoTracks()[0] ?? null,
      send: (message) => this.send(message),
      onStream: (stream) => this.store.updateRemote(remoteId, { stream }),
      onConnectionState: (connection) => this.store.updateRemote(remoteId, { connection }),
    });
    this.links.set(remoteId, link);
    if (!this.store.get().remotes.some((r) => r.attendee_id === remoteId)) {
      this.addRemote({
        attendee_id: remoteId,
        user_id: "",
        user_type: "PATIENT",
        name: "Attendee",
        status: "CONNECTED",
      });
    }
    return link;
  }

  private send(message: ClientSignal) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private sendMediaState() {
    const { audioEnabled, videoEnabled } = this.store.get();
    this.send({ type: "media", audio: audioEnabled, video: videoEnabled });
  }

  private async sampleQuality() {
    const link = [...this.links.values()].find((l) => l.pc.connectionState === "connected");
    if (!link) return;
    const { sample, counters } = sampleStats(await link.pc.getStats(), this.counters);
    this.counters = counters;
    this.store.update({ quality: classifyQuality(sample) });
  }

  private becomeReplaced() {
    this.store.update({ phase: "replaced", message: "You joined this consultation from another window or device." });
    this.left = true;
    this.teardown();
  }

  private fail(message: string) {
    this.store.update({ phase: "failed", message, nextRetryInMs: null });
    this.closeLinks();
  }

  private closeLinks() {
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.counters = null;
    this.store.update({ remotes: [], quality: "unknown" });
  }

  private teardown() {
    clearInterval(this.heartbeat);
    clearInterval(this.statsTimer);
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "left");
    this.closeLinks();
    this.screenTrack?.stop();
    this.screenTrack = null;
    for (const track of this.store.get().localStream?.getTracks() ?? []) track.stop();
    this.store.update({ localStream: null, previewStream: null, screenSharing: false });
  }
}

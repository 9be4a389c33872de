// Over 150 lines on purpose: the signalling state machine reads best in one place.
import {
  type ClientSignal,
  type ServerSignal,
  SIGNAL_HEARTBEAT_INTERVAL_MS,
  SIGNAL_WELCOME_PEER,
  type SignalAttendee,
  type SignalAuth,
  SignalCloseCodes,
} from "@clinic/contracts/signalling";
import { ApiError } from "../../../lib/api-error.ts";
import { type AdaptationLevel, ENCODINGS } from "./adaptation.ts";
import { backoffDelayMs, MAX_RECONNECT_ATTEMPTS } from "./backoff.ts";
import { markCall } from "./call-marks.ts";
import {
  type CallCredentials,
  type CallEngine,
  CallStore,
  describeMediaError,
  isRemovedError,
  MUTED_BY_DOCTOR_MESSAGE,
  REMOVED_MESSAGE,
  type Rejoin,
  type RemoteAttendee,
} from "./call-state.ts";
import { classifyQuality, type PacketCounters, sampleStats } from "./connection-quality.ts";
import {
  type DeviceKind,
  devicesOf,
  exactDeviceConstraints,
  openCameraAndMicrophone,
  releaseMedia,
  rememberDevice,
} from "./devices.ts";
import { PeerLink } from "./peer-link.ts";
import { signallingUrl } from "./signalling-url.ts";
import { browserStats, type StatsSource, WeakNetwork } from "./weak-network.ts";

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
  /**
   * An offer prepared while the socket connects (peer connection, tracks, local description,
   * ICE gathering), for whoever `welcome` names first: sent as soon as the socket opens,
   * addressed to SIGNAL_WELCOME_PEER (contracts/signalling.ts), instead of being made, or sent,
   * after `welcome`. Closed when nobody was there to offer to (the server dropped it).
   */
  private prepared: PeerLink | null = null;
  /**
   * A peer connection with this side's tracks, made while this side waits for someone (after
   * `welcome`, or once the other left), so their offer is answered without constructing one
   * on the Join click's path (bench/README.md Finding 28): taken by the first offer, then not
   * replaced until this side waits again. Nothing is negotiated or gathered on it before that.
   */
  private spare: PeerLink | null = null;
  private socket: WebSocket | null = null;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private counters: PacketCounters | null = null;
  private screenTrack: MediaStreamTrack | null = null;
  private switching: Promise<void> = Promise.resolve();
  private left = false;
  /** Connects refused in a row with `unavailable` (4503); a `welcome` resets it. */
  private unavailableInARow = 0;
  /** Weak-network adaptation and the quality record (issue 12), fed by every stats sample. */
  private readonly weak = new WeakNetwork({
    apply: (level) => this.applyAdaptation(level),
    modeChanged: (mode) => this.send({ type: "quality-mode", mode }),
  });

  constructor(
    private credentials: CallCredentials,
    private readonly rejoin: Rejoin,
    /** Tests inject reports here; the browser's getStats otherwise. */
    private readonly statsOf: StatsSource = browserStats,
  ) {}

  getState = () => this.store.get();
  subscribe = (listener: () => void) => this.store.subscribe(listener);
  qualitySummary = () => this.weak.summary();

  async start(media?: Promise<MediaStream>, socket?: WebSocket | null) {
    this.left = false;
    if (!(await this.acquireMedia(media))) {
      socket?.close(1000, "unused");
      return;
    }
    this.store.update({ phase: "connecting", message: null });
    this.connect(socket);
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
    await Promise.all(this.allLinks().map((link) => link.replaceVideoTrack(track)));
    this.store.update({ screenSharing: true, previewStream: display });
  }

  async switchDevice(kind: DeviceKind, deviceId: string) {
    // One switch at a time: a second pick waits for the first to finish, then applies on top.
    const next = this.switching.then(() => this.applyDevice(kind, deviceId));
    this.switching = next.catch(() => undefined);
    try {
      await next;
    } catch {
      // The old device keeps working: say so rather than fail silently.
      const what = kind === "videoinput" ? "camera" : kind === "audioinput" ? "microphone" : "speaker";
      this.store.update({
        message: `That ${what} could not be used (it may be busy or unplugged); the previous one stays on.`,
      });
    }
  }

  leave() {
    this.left = true;
    this.teardown();
  }

  private async applyDevice(kind: DeviceKind, deviceId: string) {
    rememberDevice(kind, deviceId);
    const state = this.store.get();
    if (kind === "audiooutput") {
      // The remote <video> elements play through it (call-window passes it to setSinkId).
      this.store.update({ devices: { ...state.devices, audiooutput: deviceId } });
      return;
    }
    const current = state.localStream;
    // Before the camera started (or after leaving): the next start uses the remembered choice.
    if (!current) return;
    const video = kind === "videoinput";
    const fresh = await navigator.mediaDevices.getUserMedia(exactDeviceConstraints(kind, deviceId));
    const track = (video ? fresh.getVideoTracks() : fresh.getAudioTracks())[0];
    if (!track || this.left || this.store.get().localStream !== current) {
      for (const t of fresh.getTracks()) t.stop();
      return;
    }
    const old = video ? current.getVideoTracks()[0] : current.getAudioTracks()[0];
    const { audioEnabled, videoEnabled } = this.store.get();
    track.enabled = video ? videoEnabled : audioEnabled;
    // The new stream first, so a peer link created meanwhile starts with the new track too.
    const stream = new MediaStream([...current.getTracks().filter((t) => t !== old), track]);
    this.store.update({
      localStream: stream,
      previewStream: this.screenTrack ? this.store.get().previewStream : stream,
      devices: devicesOf(stream, this.store.get().devices.audiooutput),
    });
    // While sharing, the screen stays on the wire; the new camera is what stopping the share returns to.
    const links = this.allLinks();
    if (video && !this.screenTrack) await Promise.all(links.map((link) => link.replaceVideoTrack(track)));
    if (!video) await Promise.all(links.map((link) => link.replaceAudioTrack(track)));
    old?.stop();
  }

  private async stopScreenShare() {
    const camera = this.store.get().localStream?.getVideoTracks()[0] ?? null;
    this.screenTrack?.stop();
    this.screenTrack = null;
    await Promise.all(this.allLinks().map((link) => link.replaceVideoTrack(camera)));
    this.store.update({ screenSharing: false, previewStream: this.store.get().localStream });
  }

  private async acquireMedia(media?: Promise<MediaStream>): Promise<boolean> {
    if (this.store.get().localStream) {
      if (media) releaseMedia(media);
      return true;
    }
    this.store.update({ phase: "starting", message: null });
    try {
      markCall("media-requested");
      const stream = await (media ?? openCameraAndMicrophone());
      markCall("media-ready");
      if (this.left) {
        for (const track of stream.getTracks()) track.stop();
        return false;
      }
      this.store.update({
        localStream: stream,
        previewStream: stream,
        devices: devicesOf(stream, this.store.get().devices.audiooutput),
      });
      return true;
    } catch (error) {
      this.store.update(describeMediaError(error));
      return false;
    }
  }

  /**
   * `ahead`: a socket to this session's signalling opened before the join answered, without a
   * token (join-ahead.ts): taken when it is to the join's `signaling_url` and not closing; its
   * first frame is then the join token (`auth`, contracts SIGNAL_AUTH_TIMEOUT_MS). Else closed.
   */
  private connect(ahead?: WebSocket | null) {
    const { signaling_url, join_token } = this.credentials;
    const takeAhead =
      ahead != null && ahead.readyState <= WebSocket.OPEN && ahead.url === signallingUrl(signaling_url, null, location);
    if (ahead && !takeAhead) ahead.close(1000, "unused");
    const ws = takeAhead ? ahead : new WebSocket(signallingUrl(signaling_url, join_token, location));
    this.socket = ws;
    this.prepareOffer();
    const opened = () => {
      if (this.socket !== ws) return;
      if (takeAhead) ws.send(JSON.stringify({ type: "auth", token: join_token } satisfies SignalAuth));
      markCall("socket-open");
      this.store.update({ phase: "connected", reconnectAttempt: 0, nextRetryInMs: null, message: null });
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.send({ type: "heartbeat" }), SIGNAL_HEARTBEAT_INTERVAL_MS);
      this.sendMediaState();
      // The prepared offer (and its ICE) goes with the socket's first frames, to whomever
      // `welcome` names first (the server relays it once it has registered this connection),
      // rather than a round trip after `welcome`; `offerTo` then binds it to their id.
      this.prepared?.bind(SIGNAL_WELCOME_PEER);
    };
    if (ws.readyState === WebSocket.OPEN) opened();
    else ws.onopen = opened;
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
        markCall("welcome");
        this.unavailableInARow = 0;
        // A patient still in the waiting room hears `waiting` next (and is offered nobody yet).
        this.store.update({ selfAttendeeId: message.attendee_id, waiting: null });
        await this.offerTo(message.attendees);
        return;
      // The waiting room: the doctor has not let this patient in yet; then they did.
      case "waiting":
        this.store.update({ waiting: { position: message.position, doctorName: message.doctor_name } });
        return;
      case "admitted":
        this.store.update({ waiting: null });
        await this.offerTo(message.attendees);
        return;
      case "lobby":
        this.store.update({
          lobby: {
            autoAdmit: message.auto_admit,
            waiting: message.waiting.map((w) => ({ attendeeId: w.attendee_id, name: w.name, since: w.since })),
          },
        });
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
      case "quality-mode":
        // Their link is weak: they send no video, and get none from us until it recovers.
        this.store.updateRemote(message.from, { audioOnly: message.mode === "audio-only" });
        await this.links.get(message.from)?.setVideoEncoding(ENCODINGS[this.levelFor(message.from)]);
        return;
      case "session.ended":
        this.store.update({ phase: "ended", endedReason: message.reason, message: null });
        this.left = true;
        this.teardown();
        return;
      case "replaced":
        this.becomeReplaced();
        return;
      // Participant control: a request to mute (this person may unmute again), or the end for them.
      case "mute.requested":
        this.setAudio(false);
        this.store.update({ message: MUTED_BY_DOCTOR_MESSAGE });
        return;
      case "removed":
        this.becomeRemoved();
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
    } else if (code === SignalCloseCodes.removed) {
      this.becomeRemoved();
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
      } else if (isRemovedError(error)) {
        this.becomeRemoved();
      } else if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
        this.fail(error.error);
      } else {
        this.scheduleReconnect(attempt);
      }
    }
  }

  /** The newcomer offers to each attendee already connected (after `welcome`, or `admitted` from the waiting room). */
  private async offerTo(attendees: SignalAttendee[]) {
    const self = this.store.get().selfAttendeeId;
    let prepared = this.prepared;
    this.prepared = null;
    for (const attendee of attendees) {
      if (attendee.attendee_id === self || attendee.status !== "CONNECTED") continue;
      this.addRemote(attendee);
      if (prepared && !this.links.has(attendee.attendee_id)) {
        this.adopt(attendee.attendee_id, prepared);
        prepared = null;
        continue;
      }
      await this.linkFor(attendee.attendee_id).offer();
    }
    // Nobody to offer to (alone, or in the waiting room): whoever comes later offers to us.
    prepared?.close();
    this.makeSpare();
  }

  /** Makes `spare` when this side waits for someone: connected, linked to nobody, with a camera stream. */
  private makeSpare() {
    if (this.spare || this.left || !this.socket || this.links.size > 0 || !this.store.get().localStream) return;
    try {
      this.spare = this.newLink(null);
    } catch {
      // No peer connection now: linkFor makes one when an offer comes.
    }
  }

  /** Starts an offer for whoever `welcome` names first (see `prepared`); the usual path if that fails. */
  private prepareOffer() {
    this.prepared?.close();
    this.prepared = null;
    if (!this.store.get().localStream) return;
    try {
      const link = this.newLink(null);
      this.prepared = link;
      void link.offer().catch(() => undefined);
    } catch {
      // No peer connection now: offerTo makes one the usual way.
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
    // Whoever comes back (a reconnect) offers to this side again.
    this.makeSpare();
  }

  private newLink(remoteId: string | null): PeerLink {
    const localStream = this.store.get().localStream ?? new MediaStream();
    const link: PeerLink = new PeerLink({
      remoteId,
      iceServers: this.credentials.ice_servers,
      iceTransportPolicy: this.credentials.ice_transport_policy,
      localStream,
      videoTrack: this.screenTrack ?? localStream.getVideoTracks()[0] ?? null,
      send: (message) => this.send(message),
      // A prepared link has nobody to report on until it is bound (and hears nothing before).
      onStream: (stream) => link.remoteId && this.store.updateRemote(link.remoteId, { stream }),
      onConnectionState: (connection) => link.remoteId && this.store.updateRemote(link.remoteId, { connection }),
    });
    return link;
  }

  /** Takes `link` on as the one to `remoteId`: what it prepared goes out now. */
  private adopt(remoteId: string, link: PeerLink) {
    this.links.set(remoteId, link);
    link.bind(remoteId);
    if (this.levelFor(remoteId) !== "high") void link.setVideoEncoding(ENCODINGS[this.levelFor(remoteId)]);
  }

  private linkFor(remoteId: string): PeerLink {
    const existing = this.links.get(remoteId);
    if (existing) return existing;
    const spare = this.spare;
    this.spare = null;
    spare?.bind(remoteId);
    const link = spare ?? this.newLink(remoteId);
    this.links.set(remoteId, link);
    if (this.levelFor(remoteId) !== "high") void link.setVideoEncoding(ENCODINGS[this.levelFor(remoteId)]);
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

  /** The links to attendees, a prepared one and the spare: what changes the tracks sent reaches each. */
  private allLinks(): PeerLink[] {
    return [...this.links.values(), ...(this.prepared ? [this.prepared] : []), ...(this.spare ? [this.spare] : [])];
  }

  private send(message: ClientSignal) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private sendMediaState() {
    const { audioEnabled, videoEnabled } = this.store.get();
    this.send({ type: "media", audio: audioEnabled, video: videoEnabled });
    // Whoever (re)joins learns that this side is audio-only (they assume video otherwise).
    if (this.weak.level === "audio-only") this.send({ type: "quality-mode", mode: "audio-only" });
  }

  /** What goes to one attendee: this side's level, or no video when their link is the weak one. */
  private levelFor(remoteId: string): AdaptationLevel {
    const remote = this.store.get().remotes.find((r) => r.attendee_id === remoteId);
    return remote?.audioOnly ? "audio-only" : this.weak.level;
  }

  private applyAdaptation(level: AdaptationLevel) {
    this.store.update({ adaptation: level });
    for (const [remoteId, link] of this.links) {
      void link.setVideoEncoding(ENCODINGS[this.levelFor(remoteId)]).catch(() => undefined);
    }
  }

  private async sampleQuality() {
    const link = [...this.links.values()].find((l) => l.pc.connectionState === "connected");
    if (!link) return;
    const report = await this.statsOf(link.pc);
    if (this.left) return;
    const { sample, counters } = sampleStats(report, this.counters);
    this.counters = counters;
    this.store.update({ quality: classifyQuality(sample) });
    this.weak.sample(report, Date.now());
  }

  private becomeReplaced() {
    this.store.update({ phase: "replaced", message: "You joined this consultation from another window or device." });
    this.left = true;
    this.teardown();
  }

  /** Removed by the doctor: final (never reconnected); the camera and microphone stop. */
  private becomeRemoved() {
    this.store.update({ phase: "removed", message: REMOVED_MESSAGE, nextRetryInMs: null });
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
    this.prepared?.close();
    this.prepared = null;
    this.spare?.close();
    this.spare = null;
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

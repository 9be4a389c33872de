// Loaded only through `import()` from create-call-engine.ts: amazon-chime-sdk-js is a large
// library and embedded-mode users never download it.

import type { ServerSignal, SignalAttendee } from "@clinic/contracts/signalling";
import {
  type AudioVideoObserver,
  ConsoleLogger,
  DefaultDeviceController,
  DefaultMeetingSession,
  LogLevel,
  MeetingSessionConfiguration,
  MeetingSessionStatusCode,
  type VideoTileState,
} from "amazon-chime-sdk-js";
import { ApiError, isApiError } from "../../../lib/api-error.ts";
import type { MediaCredentialsResponse } from "../api/get-media-credentials.ts";
import { backoffDelayMs, MAX_RECONNECT_ATTEMPTS } from "./backoff.ts";
import {
  type CallCredentials,
  type CallEngine,
  CallStore,
  describeMediaError,
  isRemovedError,
  MUTED_BY_DOCTOR_MESSAGE,
  REMOVED_MESSAGE,
  type Rejoin,
} from "./call-state.ts";
import { CallStatsRecorder, readStats, type StatsCounters } from "./call-stats.ts";
import {
  type DeviceKind,
  devicesOf,
  exactDeviceConstraints,
  openCameraAndMicrophone,
  releaseMedia,
  rememberDevice,
} from "./devices.ts";
import { type PresenceEnd, PresenceSocket } from "./presence-socket.ts";

/** How long an empty `welcome` waits for `waiting` before Chime's media starts (the server sends it at once). */
const WAITING_GRACE_MS = 1_500;
/** How often the quality record reads the SDK's peer-connection stats (as the embedded engine). */
const STATS_MS = 2_000;

/** GET …/attendees/{attendee_id}/media-credentials: this person's Chime attendee, once admitted. */
export type FetchMediaCredentials = (sessionId: string, attendeeId: string) => Promise<MediaCredentialsResponse>;

/**
 * The same call window, driven by an Amazon Chime SDK meeting (MEDIA_PROVIDER=chime). Media goes
 * through Chime; the video service's signalling socket is held beside it in presence-only mode
 * (presence-socket.ts), so the server records attendance as for embedded calls and tells this
 * window when the session ends, another window takes over or the doctor removes this person.
 * Its attendee ids are Chime's, so its names and media states label Chime's tiles.
 */
export class ChimeCall implements CallEngine {
  private readonly store = new CallStore();
  private meeting: DefaultMeetingSession | null = null;
  private readonly audioElement = new Audio();
  private attempt = 0;
  private left = false;
  /** Who the presence socket says is in the call, by attendee id (names for Chime's tiles). */
  private readonly known = new Map<string, SignalAttendee>();
  private readonly presence: PresenceSocket;
  /**
   * Chime's media waits for the waiting room: it starts once the server shows this person is in
   * (someone in `welcome`, the doctor's `lobby`, `admitted`, or no `waiting` within a moment) and
   * stops while they wait.
   */
  private mediaAllowed = false;
  private gateTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set while Chime's media is being started (credentials fetched, session built): started once. */
  private mediaStarting: Promise<void> | null = null;
  /**
   * The quality record (issue 12), from the SDK's peer-connection stats. Audio-only time stays 0:
   * under Chime the SDK adapts the video itself (simulcast, VideoPriorityBasedPolicy) and never
   * turns the local camera off for bandwidth (README "Weak networks").
   */
  private readonly recorder = new CallStatsRecorder();
  private statsCounters: StatsCounters | null = null;
  private statsTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private credentials: CallCredentials,
    private readonly rejoin: Rejoin,
    private readonly fetchMediaCredentials: FetchMediaCredentials,
  ) {
    this.presence = new PresenceSocket(credentials, {
      onMessage: (message) => this.onPresenceMessage(message),
      onOpen: () => {
        this.store.update({ message: null });
        this.sendMediaState();
      },
      onRetry: () => undefined,
      onEnd: (end) => this.onPresenceEnd(end),
      renew: () => this.renewCredentials(),
    });
  }

  getState = () => this.store.get();
  subscribe = (listener: () => void) => this.store.subscribe(listener);
  qualitySummary = () => this.recorder.summary();

  async start(media?: Promise<MediaStream>, socket?: WebSocket | null) {
    // Chime's presence socket is opened with its token in the URL (presence-socket.ts).
    socket?.close(1000, "unused");
    this.left = false;
    let stream = this.store.get().localStream;
    if (stream && media) releaseMedia(media);
    if (!stream) {
      try {
        stream = await (media ?? openCameraAndMicrophone());
      } catch (error) {
        this.store.update(describeMediaError(error));
        return;
      }
      this.store.update({
        localStream: stream,
        previewStream: stream,
        devices: devicesOf(stream, this.store.get().devices.audiooutput),
      });
    }
    this.store.update({ phase: "connecting", message: null });
    try {
      await this.join(stream);
    } catch {
      this.reconnectLater();
    }
  }

  async retry() {
    this.attempt = 0;
    await this.start();
  }

  setAudio(enabled: boolean) {
    if (enabled) this.meeting?.audioVideo.realtimeUnmuteLocalAudio();
    else this.meeting?.audioVideo.realtimeMuteLocalAudio();
    this.store.update({ audioEnabled: enabled });
    this.sendMediaState();
  }

  setVideo(enabled: boolean) {
    if (enabled) this.meeting?.audioVideo.startLocalVideoTile();
    else this.meeting?.audioVideo.stopLocalVideoTile();
    this.store.update({ videoEnabled: enabled });
    this.sendMediaState();
  }

  async toggleScreenShare() {
    const audioVideo = this.meeting?.audioVideo;
    if (!audioVideo) return;
    if (this.store.get().screenSharing) {
      audioVideo.stopContentShare();
      this.store.update({ screenSharing: false, previewStream: this.store.get().localStream });
      return;
    }
    const screen = await audioVideo.startContentShareFromScreenCapture();
    this.store.update({ screenSharing: true, previewStream: screen });
  }

  /**
   * The SDK's own device calls: startVideoInput/startAudioInput with the new device's stream
   * (the local preview shows the same track), chooseAudioOutput for the speaker.
   */
  async switchDevice(kind: DeviceKind, deviceId: string) {
    rememberDevice(kind, deviceId);
    const audioVideo = this.meeting?.audioVideo;
    const state = this.store.get();
    if (kind === "audiooutput") {
      await audioVideo?.chooseAudioOutput(deviceId);
      this.store.update({ devices: { ...state.devices, audiooutput: deviceId } });
      return;
    }
    const current = state.localStream;
    if (!current) return;
    const video = kind === "videoinput";
    const fresh = await navigator.mediaDevices.getUserMedia(exactDeviceConstraints(kind, deviceId));
    const track = (video ? fresh.getVideoTracks() : fresh.getAudioTracks())[0];
    if (!track || this.left) {
      for (const t of fresh.getTracks()) t.stop();
      return;
    }
    if (video) await audioVideo?.startVideoInput(fresh);
    else await audioVideo?.startAudioInput(fresh);
    const old = video ? current.getVideoTracks()[0] : current.getAudioTracks()[0];
    const stream = new MediaStream([...current.getTracks().filter((t) => t !== old), track]);
    old?.stop();
    this.store.update({
      localStream: stream,
      previewStream: this.store.get().screenSharing ? this.store.get().previewStream : stream,
      devices: devicesOf(stream, this.store.get().devices.audiooutput),
    });
  }

  leave() {
    this.left = true;
    clearTimeout(this.gateTimer);
    this.presence.close();
    this.stopMeeting();
    for (const track of this.store.get().localStream?.getTracks() ?? []) track.stop();
    this.store.update({ localStream: null, previewStream: null });
  }

  /** Attendance first (the server counts this window from the moment the socket is open), then Chime's media. */
  private async join(stream: MediaStream) {
    this.presence.open(this.credentials);
    if (this.mediaAllowed) await this.startMediaOnce(stream);
  }

  /** The waiting room let this person in (or there is none): Chime's media starts, once. */
  private allowMedia() {
    clearTimeout(this.gateTimer);
    this.mediaAllowed = true;
    const stream = this.store.get().localStream;
    if (this.meeting || this.left || !stream) return;
    // A start already under way may have asked for the credentials before the admission
    // committed (403 NOT_ADMITTED): once it is done, try again if there is still no meeting.
    const pending = this.mediaStarting;
    if (pending) {
      void pending.then(
        () => this.allowMediaAgain(),
        () => undefined,
      );
      return;
    }
    this.startMediaOnce(stream).catch(() => this.reconnectLater());
  }

  private allowMediaAgain() {
    if (!this.meeting && !this.left) this.allowMedia();
  }

  /** One start at a time: `admitted`, `lobby` and a rejoin may all ask while credentials are fetched. */
  private startMediaOnce(stream: MediaStream): Promise<void> {
    this.mediaStarting ??= this.startMedia(stream).finally(() => {
      this.mediaStarting = null;
    });
    return this.mediaStarting;
  }

  /**
   * Chime's attendee for the SDK. A join while waiting answers none (the server keeps Chime's
   * JoinToken from anyone not admitted); once admitted it is fetched. Null when the server says
   * this person still waits (then `waiting`/`admitted` over the socket decide what comes next).
   */
  private async chimeAttendee(): Promise<unknown> {
    const held = this.credentials.chime?.Attendee;
    if (held) return held;
    const { session_id, attendee_id } = this.credentials;
    try {
      const fetched = await this.fetchMediaCredentials(session_id, attendee_id);
      // A rejoin meanwhile brought another attendee: this answer is not its.
      if (fetched.attendee_id !== this.credentials.attendee_id) return null;
      this.credentials = { ...this.credentials, chime: fetched.chime };
      return fetched.chime.Attendee;
    } catch (error) {
      if (isApiError(error, "NOT_ADMITTED")) return null;
      throw error;
    }
  }

  /** In the waiting room: no media with anyone until admitted. */
  private holdMedia() {
    clearTimeout(this.gateTimer);
    this.mediaAllowed = false;
    this.stopMeeting();
    this.store.update({ phase: "connected", remotes: [] });
  }

  private async startMedia(stream: MediaStream) {
    const Attendee = await this.chimeAttendee();
    if (!Attendee) {
      this.mediaAllowed = false;
      return;
    }
    if (this.meeting || this.left || !this.mediaAllowed) return;
    const Meeting = this.credentials.chime?.Meeting;
    const logger = new ConsoleLogger("clinic-video", LogLevel.WARN);
    const configuration = new MeetingSessionConfiguration({ Meeting }, { Attendee });
    const meeting = new DefaultMeetingSession(configuration, logger, new DefaultDeviceController(logger));
    this.meeting = meeting;
    meeting.audioVideo.addObserver(this.observer);
    meeting.audioVideo.realtimeSubscribeToAttendeeIdPresence((attendeeId, present) => {
      if (attendeeId === this.credentials.attendee_id) return;
      const remotes = this.store.get().remotes.filter((r) => r.attendee_id !== attendeeId);
      if (present) {
        const known = this.known.get(attendeeId);
        remotes.push({
          attendee_id: attendeeId,
          name: known?.name ?? "Attendee",
          user_type: known?.user_type ?? "PATIENT",
          stream: null,
          audio: true,
          video: false,
          connection: "connecting",
        });
      }
      this.store.update({ remotes });
    });
    await meeting.audioVideo.startAudioInput(stream);
    await meeting.audioVideo.startVideoInput(stream);
    await meeting.audioVideo.bindAudioElement(this.audioElement);
    meeting.audioVideo.start();
    meeting.audioVideo.startLocalVideoTile();
    this.statsCounters = null;
    clearInterval(this.statsTimer);
    this.statsTimer = setInterval(() => void this.sampleStats(meeting), STATS_MS);
  }

  /** One reading of the SDK's RTCStatsReport into the quality record (call-stats.ts, as embedded). */
  private async sampleStats(meeting: DefaultMeetingSession) {
    const report = await meeting.audioVideo.getRTCPeerConnectionStats().catch(() => null);
    if (!report || this.meeting !== meeting) return;
    const now = Date.now();
    const reading = readStats(report, this.statsCounters, now);
    this.statsCounters = reading.counters;
    this.recorder.record(reading, now, false);
  }

  private onPresenceMessage(message: ServerSignal) {
    switch (message.type) {
      case "welcome":
        for (const attendee of message.attendees) this.learn(attendee);
        // A waiting patient is shown nobody and hears `waiting` next; anyone else is in.
        if (message.attendees.length > 0) this.allowMedia();
        else if (!this.mediaAllowed) {
          clearTimeout(this.gateTimer);
          this.gateTimer = setTimeout(() => this.allowMedia(), WAITING_GRACE_MS);
        }
        return;
      case "waiting":
        this.store.update({ waiting: { position: message.position, doctorName: message.doctor_name } });
        this.holdMedia();
        return;
      case "admitted":
        this.store.update({ waiting: null });
        for (const attendee of message.attendees) this.learn(attendee);
        this.allowMedia();
        return;
      case "lobby":
        this.store.update({
          lobby: {
            autoAdmit: message.auto_admit,
            waiting: message.waiting.map((w) => ({ attendeeId: w.attendee_id, name: w.name, since: w.since })),
          },
        });
        this.allowMedia();
        return;
      case "attendee.joined":
        this.learn(message.attendee);
        return;
      case "media":
        this.store.updateRemote(message.from, { audio: message.audio, video: message.video });
        return;
      case "mute.requested":
        this.setAudio(false);
        this.store.update({ message: MUTED_BY_DOCTOR_MESSAGE });
        return;
      case "session.ended":
        this.store.update({ phase: "ended", endedReason: message.reason, message: null });
        this.leave();
        return;
      case "replaced":
        this.onPresenceEnd("replaced");
        return;
      default:
        return;
    }
  }

  private onPresenceEnd(end: PresenceEnd) {
    if (this.left) return;
    if (end === "ended") this.store.update({ phase: "ended", message: null });
    else if (end === "replaced") {
      this.store.update({ phase: "replaced", message: "You joined this consultation from another window or device." });
    } else if (end === "removed") {
      this.store.update({ phase: "removed", message: REMOVED_MESSAGE });
    } else this.store.update({ phase: "failed", message: "You are not authorized to access this appointment" });
    this.leave();
  }

  /** A name and role for a Chime tile, from the server's list (the ids are the same). */
  private learn(attendee: SignalAttendee) {
    this.known.set(attendee.attendee_id, attendee);
    this.store.updateRemote(attendee.attendee_id, { name: attendee.name, user_type: attendee.user_type });
  }

  /**
   * A rejoin for the presence socket: Chime hands back the same attendee while it exists, and
   * the meeting session goes on; a different one (the old was deleted) restarts the media with it.
   */
  private async renewCredentials(): Promise<CallCredentials> {
    const fresh = await this.rejoin();
    const sameAttendee = fresh.attendee_id === this.credentials.attendee_id;
    this.credentials = fresh;
    const stream = this.store.get().localStream;
    if (!sameAttendee && stream && !this.left && this.mediaAllowed) {
      this.stopMeeting();
      await this.startMediaOnce(stream);
    }
    return fresh;
  }

  private sendMediaState() {
    const { audioEnabled, videoEnabled } = this.store.get();
    this.presence.send({ type: "media", audio: audioEnabled, video: videoEnabled });
  }

  private readonly observer: AudioVideoObserver = {
    audioVideoDidStart: () => {
      this.attempt = 0;
      this.store.update({ phase: "connected", selfAttendeeId: this.credentials.attendee_id, reconnectAttempt: 0 });
    },
    audioVideoDidStartConnecting: (reconnecting) => {
      if (reconnecting) this.store.update({ phase: "reconnecting" });
    },
    audioVideoDidStop: (status) => {
      if (this.left) return;
      const code = status.statusCode();
      if (
        code === MeetingSessionStatusCode.MeetingEnded ||
        code === MeetingSessionStatusCode.TURNCredentialsForbidden
      ) {
        this.store.update({ phase: "ended" });
        this.leave();
      } else if (code === MeetingSessionStatusCode.AudioJoinedFromAnotherDevice) {
        this.store.update({
          phase: "replaced",
          message: "You joined this consultation from another window or device.",
        });
        this.leave();
      } else {
        this.reconnectLater();
      }
    },
    videoTileDidUpdate: (tile: VideoTileState) => {
      if (tile.localTile || tile.isContent || !tile.boundAttendeeId) return;
      this.store.updateRemote(tile.boundAttendeeId, {
        stream: tile.boundVideoStream,
        video: tile.active && !tile.paused,
        connection: "connected",
      });
    },
    connectionDidBecomePoor: () => this.store.update({ quality: "poor" }),
    connectionDidSuggestStopVideo: () => this.store.update({ quality: "fair" }),
    connectionDidBecomeGood: () => this.store.update({ quality: "good" }),
  };

  private stopMeeting() {
    clearInterval(this.statsTimer);
    this.meeting?.audioVideo.removeObserver(this.observer);
    this.meeting?.audioVideo.stop();
    this.meeting = null;
  }

  /** The SDK reconnects by itself; when it gives up, rejoin through POST /join with backoff. */
  private reconnectLater() {
    this.stopMeeting();
    if (this.attempt >= MAX_RECONNECT_ATTEMPTS) {
      // No media any more: not attending either (Retry opens both again).
      this.presence.close();
      this.store.update({
        phase: "failed",
        message: "Failed to connect to video service. Please check your internet connection.",
      });
      return;
    }
    const delay = backoffDelayMs(this.attempt++);
    this.store.update({ phase: "reconnecting", reconnectAttempt: this.attempt, nextRetryInMs: delay, remotes: [] });
    setTimeout(async () => {
      if (this.left) return;
      try {
        this.credentials = await this.rejoin();
        await this.start();
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          this.store.update({ phase: "ended" });
          this.presence.close();
        } else if (isRemovedError(error)) {
          // Removed by the doctor (Chime deleted the attendee, and the rejoin is refused): final.
          this.onPresenceEnd("removed");
        } else if (error instanceof ApiError && error.status < 500 && error.status > 0) {
          this.store.update({ phase: "failed", message: error.error });
          this.presence.close();
        } else this.reconnectLater();
      }
    }, delay);
  }
}

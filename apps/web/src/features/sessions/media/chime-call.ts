// Loaded only through `import()` from create-call-engine.ts: amazon-chime-sdk-js is a large
// library and embedded-mode users never download it.
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
import { ApiError } from "../../../lib/api-error.ts";
import { backoffDelayMs, MAX_RECONNECT_ATTEMPTS } from "./backoff.ts";
import { type CallCredentials, type CallEngine, CallStore, describeMediaError, type Rejoin } from "./call-state.ts";

/** The same call window, driven by an Amazon Chime SDK meeting (MEDIA_PROVIDER=chime). */
export class ChimeCall implements CallEngine {
  private readonly store = new CallStore();
  private meeting: DefaultMeetingSession | null = null;
  private readonly audioElement = new Audio();
  private attempt = 0;
  private left = false;

  constructor(
    private credentials: CallCredentials,
    private readonly rejoin: Rejoin,
  ) {}

  getState = () => this.store.get();
  subscribe = (listener: () => void) => this.store.subscribe(listener);

  async start() {
    this.left = false;
    let stream = this.store.get().localStream;
    if (!stream) {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      } catch (error) {
        this.store.update(describeMediaError(error));
        return;
      }
      this.store.update({ localStream: stream, previewStream: stream });
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
  }

  setVideo(enabled: boolean) {
    if (enabled) this.meeting?.audioVideo.startLocalVideoTile();
    else this.meeting?.audioVideo.stopLocalVideoTile();
    this.store.update({ videoEnabled: enabled });
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

  leave() {
    this.left = true;
    this.stopMeeting();
    for (const track of this.store.get().localStream?.getTracks() ?? []) track.stop();
    this.store.update({ localStream: null, previewStream: null });
  }

  private async join(stream: MediaStream) {
    const { Meeting, Attendee } = this.credentials.chime ?? {};
    const logger = new ConsoleLogger("clinic-video", LogLevel.WARN);
    const configuration = new MeetingSessionConfiguration({ Meeting }, { Attendee });
    const meeting = new DefaultMeetingSession(configuration, logger, new DefaultDeviceController(logger));
    this.meeting = meeting;
    meeting.audioVideo.addObserver(this.observer);
    meeting.audioVideo.realtimeSubscribeToAttendeeIdPresence((attendeeId, present) => {
      if (attendeeId === this.credentials.attendee_id) return;
      const remotes = this.store.get().remotes.filter((r) => r.attendee_id !== attendeeId);
      if (present) {
        remotes.push({
          attendee_id: attendeeId,
          name: "Attendee",
          user_type: "PATIENT",
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
    this.meeting?.audioVideo.removeObserver(this.observer);
    this.meeting?.audioVideo.stop();
    this.meeting = null;
  }

  /** The SDK reconnects by itself; when it gives up, rejoin through POST /join with backoff. */
  private reconnectLater() {
    this.stopMeeting();
    if (this.attempt >= MAX_RECONNECT_ATTEMPTS) {
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
        if (error instanceof ApiError && error.status === 409) this.store.update({ phase: "ended" });
        else if (error instanceof ApiError && error.status < 500 && error.status > 0) {
          this.store.update({ phase: "failed", message: error.error });
        } else this.reconnectLater();
      }
    }, delay);
  }
}

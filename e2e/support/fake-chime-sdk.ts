/**
 * Test support, compiled into a test build of the web app in place of `amazon-chime-sdk-js`
 * (a Vite alias in chime-web-build.ts; never in the product build). The part of the SDK the
 * web app's ChimeCall uses, with no network: every `audioVideo` call is recorded on
 * `window.__fakeChime.calls`, `start()` reports the session started, and
 * `window.__fakeChime.addRemote(attendeeId)` plays a remote attendee joining with a video tile
 * (a canvas stream with moving pictures), as Chime's media would. `getRTCPeerConnectionStats()`
 * answers a report of a steady link (500 kbit/s each way, 640x480 sent, 40 ms RTT) for the
 * quality record.
 * Typed without the DOM library (the e2e code is compiled for Node): the page's globals are
 * reached through `globalThis`, as far as used here.
 */

interface PageStream {
  getTracks(): { stop(): void }[];
}
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: "2d"): {
    fillStyle: string;
    fillRect(x: number, y: number, w: number, h: number): void;
  } | null;
  captureStream(fps: number): PageStream;
}
interface PageGlobals {
  document: { createElement(tag: "canvas"): PageCanvas };
  __fakeChime?: FakeChimeRecord;
}

type Observer = Record<string, ((...args: unknown[]) => void) | undefined>;

export interface FakeChimeRecord {
  /** Every audioVideo method called, in order, by name. */
  calls: string[];
  /** The attendee ids of every meeting session made (from MeetingSessionConfiguration). */
  sessions: string[];
  /** A remote attendee joins the live session and sends video. */
  addRemote(attendeeId: string): void;
}

const page = globalThis as unknown as PageGlobals;
let live: FakeAudioVideo | null = null;
const record: FakeChimeRecord = {
  calls: [],
  sessions: [],
  addRemote(attendeeId: string) {
    if (!live) throw new Error("no live fake Chime meeting session");
    live.addRemote(attendeeId);
  },
};
page.__fakeChime = record;

export const LogLevel = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3, OFF: 4 } as const;

export const MeetingSessionStatusCode = {
  OK: 0,
  Left: 1,
  AudioJoinedFromAnotherDevice: 2,
  MeetingEnded: 12,
  TURNCredentialsForbidden: 23,
} as const;

export class ConsoleLogger {
  constructor(
    readonly name: string,
    readonly level: number,
  ) {}
  info() {}
  warn() {}
  error() {}
  debug() {}
}

export class DefaultDeviceController {
  constructor(readonly logger: ConsoleLogger) {}
}

export class MeetingSessionConfiguration {
  readonly attendeeId: string;
  constructor(
    readonly meeting: { Meeting?: { MeetingId?: string } },
    readonly attendee: { Attendee?: { AttendeeId?: string; JoinToken?: string } },
  ) {
    const id = attendee.Attendee?.AttendeeId;
    const token = attendee.Attendee?.JoinToken;
    if (!id || !token || !meeting.Meeting?.MeetingId) throw new Error("fake Chime: incomplete meeting configuration");
    this.attendeeId = id;
  }
}

class FakeAudioVideo {
  private readonly observers = new Set<Observer>();
  private presence: ((attendeeId: string, present: boolean) => void) | null = null;
  private remoteStream: PageStream | null = null;
  private painter: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly selfId: string) {}

  private note(name: string) {
    record.calls.push(name);
  }
  addObserver(observer: Observer) {
    this.note("addObserver");
    this.observers.add(observer);
  }
  removeObserver(observer: Observer) {
    this.note("removeObserver");
    this.observers.delete(observer);
  }
  realtimeSubscribeToAttendeeIdPresence(callback: (attendeeId: string, present: boolean) => void) {
    this.note("realtimeSubscribeToAttendeeIdPresence");
    this.presence = callback;
  }
  async startAudioInput(_stream: unknown) {
    this.note("startAudioInput");
  }
  async startVideoInput(_stream: unknown) {
    this.note("startVideoInput");
  }
  async bindAudioElement(_element: unknown) {
    this.note("bindAudioElement");
  }
  bindVideoElement(_tileId: number, _element: unknown) {
    this.note("bindVideoElement");
  }
  async chooseAudioOutput(_deviceId: string | null) {
    this.note("chooseAudioOutput");
  }
  private startedAt = 0;
  /** An RTCStatsReport as the SDK's would read: a Map of stats, counters growing with the call. */
  async getRTCPeerConnectionStats() {
    this.note("getRTCPeerConnectionStats");
    const bytes = Math.round((Date.now() - this.startedAt) * 62.5); // 500 kbit/s
    const stats = [
      { id: "OV", type: "outbound-rtp", kind: "video", bytesSent: bytes, frameWidth: 640, frameHeight: 480 },
      { id: "IV", type: "inbound-rtp", kind: "video", bytesReceived: bytes, packetsLost: 0, packetsReceived: 1000 },
      { id: "RV", type: "remote-inbound-rtp", kind: "video", roundTripTime: 0.04, fractionLost: 0 },
    ];
    return new Map(stats.map((stat) => [stat.id, stat]));
  }
  start() {
    this.note("start");
    this.startedAt = Date.now();
    live = this;
    setTimeout(() => {
      this.presence?.(this.selfId, true);
      for (const o of this.observers) o.audioVideoDidStart?.();
    }, 50);
  }
  stop() {
    this.note("stop");
    clearInterval(this.painter);
    for (const track of this.remoteStream?.getTracks() ?? []) track.stop();
    if (live === this) live = null;
    for (const o of this.observers) o.audioVideoDidStop?.({ statusCode: () => MeetingSessionStatusCode.Left });
  }
  startLocalVideoTile() {
    this.note("startLocalVideoTile");
    return 1;
  }
  stopLocalVideoTile() {
    this.note("stopLocalVideoTile");
  }
  realtimeMuteLocalAudio() {
    this.note("realtimeMuteLocalAudio");
  }
  realtimeUnmuteLocalAudio() {
    this.note("realtimeUnmuteLocalAudio");
    return true;
  }
  async startContentShareFromScreenCapture() {
    this.note("startContentShareFromScreenCapture");
    return null;
  }
  stopContentShare() {
    this.note("stopContentShare");
  }

  addRemote(attendeeId: string) {
    this.presence?.(attendeeId, true);
    const canvas = page.document.createElement("canvas");
    canvas.width = 320;
    canvas.height = 240;
    const context = canvas.getContext("2d");
    let frame = 0;
    // Moving pictures, so the page's video advances as a remote camera's would.
    this.painter = setInterval(() => {
      if (!context) return;
      frame++;
      context.fillStyle = `hsl(${(frame * 7) % 360}, 70%, 50%)`;
      context.fillRect(0, 0, 320, 240);
      context.fillStyle = "white";
      context.fillRect((frame * 5) % 300, 100, 20, 40);
    }, 66);
    this.remoteStream = canvas.captureStream(15);
    const tile = {
      tileId: 2,
      boundAttendeeId: attendeeId,
      localTile: false,
      isContent: false,
      active: true,
      paused: false,
      boundVideoStream: this.remoteStream,
    };
    for (const o of this.observers) o.videoTileDidUpdate?.(tile);
  }
}

export class DefaultMeetingSession {
  readonly audioVideo: FakeAudioVideo;
  constructor(configuration: MeetingSessionConfiguration, _logger: ConsoleLogger, _devices: DefaultDeviceController) {
    record.sessions.push(configuration.attendeeId);
    this.audioVideo = new FakeAudioVideo(configuration.attendeeId);
  }
}

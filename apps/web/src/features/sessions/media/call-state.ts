import type { CallQualitySummary, IceServer } from "@clinic/contracts";
import type { AdaptationLevel } from "./adaptation.ts";
import { type DeviceChoice, type DeviceKind, loadDeviceChoice } from "./devices.ts";

export type CallPhase =
  | "starting"
  | "media-denied"
  | "media-error"
  | "connecting"
  | "connected"
  | "reconnecting"
  | "failed"
  | "ended"
  | "replaced"
  /** The doctor removed this person from the call (participant control): final, no reconnect. */
  | "removed";

export type Quality = "good" | "fair" | "poor" | "unknown";

export interface RemoteAttendee {
  attendee_id: string;
  name: string;
  user_type: "DOCTOR" | "PATIENT";
  stream: MediaStream | null;
  audio: boolean;
  video: boolean;
  connection: RTCPeerConnectionState;
  /** Their link is too weak for video: they send none (weak-network adaptation, their "quality-mode"). */
  audioOnly?: boolean;
}

export interface CallState {
  phase: CallPhase;
  selfAttendeeId: string | null;
  localStream: MediaStream | null;
  /** What the local picture-in-picture shows: the camera, or the screen while sharing. */
  previewStream: MediaStream | null;
  audioEnabled: boolean;
  videoEnabled: boolean;
  screenSharing: boolean;
  /** The camera and microphone in use, and the chosen speaker (null: the browser's default). */
  devices: DeviceChoice;
  remotes: RemoteAttendee[];
  quality: Quality;
  /** What this side's weak-network adaptation sends (adaptation.ts); "audio-only": no video either way. */
  adaptation: AdaptationLevel;
  reconnectAttempt: number;
  nextRetryInMs: number | null;
  /** Waiting room: set while the doctor has not let this patient in yet (the server's `waiting`). */
  waiting: { position: number; doctorName: string } | null;
  /** Waiting room, the doctor's side: who waits to be admitted and whether auto-admit is on (`lobby`). */
  lobby: { autoAdmit: boolean; waiting: { attendeeId: string; name: string; since: string }[] } | null;
  /** A sentence for the person in front of the screen, when something needs explaining. */
  message: string | null;
  endedReason: "ENDED_BY_DOCTOR" | "IDLE_TIMEOUT" | null;
}

/** What start/join hand the browser, whichever media provider serves the meeting. */
export interface CallCredentials {
  session_id: string;
  attendee_id: string;
  join_token: string;
  media_provider: "embedded" | "chime";
  signaling_url: string;
  ice_servers: IceServer[];
  /** "relay": media only through the TURN relay (ICE_TRANSPORT_POLICY; strict clinic firewalls). */
  ice_transport_policy: RTCIceTransportPolicy;
  chime: { Meeting: unknown; Attendee: unknown } | null;
}

/** The call window drives either engine through this interface. */
export interface CallEngine {
  getState(): CallState;
  subscribe(listener: () => void): () => void;
  /**
   * Camera and microphone, then the connection. `media`: the camera and microphone already
   * asked for (the call screen asks while POST /join is under way), used instead of asking
   * again; a later start (Retry) asks afresh.
   */
  /**
   * `socket`: the session's signalling socket opened without a token before the join answered
   * (join-ahead.ts); the embedded engine authenticates it with its first frame, else closes it.
   */
  start(media?: Promise<MediaStream>, socket?: WebSocket | null): Promise<void>;
  setAudio(enabled: boolean): void;
  setVideo(enabled: boolean): void;
  toggleScreenShare(): Promise<void>;
  /**
   * Another camera, microphone or speaker, mid-call: the new device's track replaces the old one
   * on what is sent (mute and camera-off carry over); remembered for the next call.
   */
  switchDevice(kind: DeviceKind, deviceId: string): Promise<void>;
  /** After a camera/microphone refusal or a failed reconnect: try again from the start. */
  retry(): Promise<void>;
  leave(): void;
  /** The call's stats summary for the quality record (issue 12); null when nothing was measured. */
  qualitySummary?(): CallQualitySummary | null;
}

/** Fetches fresh credentials through POST /join (reconnects never reuse a join token). */
export type Rejoin = () => Promise<CallCredentials>;

export const initialCallState: CallState = {
  phase: "starting",
  selfAttendeeId: null,
  localStream: null,
  previewStream: null,
  audioEnabled: true,
  videoEnabled: true,
  screenSharing: false,
  devices: { videoinput: null, audioinput: null, audiooutput: null },
  remotes: [],
  quality: "unknown",
  adaptation: "high",
  reconnectAttempt: 0,
  nextRetryInMs: null,
  waiting: null,
  lobby: null,
  message: null,
  endedReason: null,
};

/** A tiny external store, read by React through useSyncExternalStore. */
export class CallStore {
  private state: CallState = {
    ...initialCallState,
    devices: { ...loadDeviceChoice(), videoinput: null, audioinput: null },
  };
  private readonly listeners = new Set<() => void>();

  get = () => this.state;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  update(patch: Partial<CallState>) {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  updateRemote(attendeeId: string, patch: Partial<RemoteAttendee>) {
    this.update({ remotes: this.state.remotes.map((r) => (r.attendee_id === attendeeId ? { ...r, ...patch } : r)) });
  }
}

/** What the removed person reads (participant control); also on the patient's page after a refused rejoin. */
export const REMOVED_MESSAGE = "The doctor removed you from this consultation.";
/** What a participant reads when the doctor asked their browser to mute (a request: they may unmute). */
export const MUTED_BY_DOCTOR_MESSAGE = "The doctor muted your microphone. You can unmute when you need to speak.";

/** A refusal of POST /join that means "removed by the doctor": the call is over for this person. */
export function isRemovedError(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { status?: unknown }).status === 403 &&
    (error as { code?: unknown }).code === "PARTICIPANT_REMOVED"
  );
}

/** Explains a getUserMedia failure in words a patient understands. */
export function describeMediaError(error: unknown): { phase: "media-denied" | "media-error"; message: string } {
  const name = error instanceof Error || error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") {
    return {
      phase: "media-denied",
      message:
        "Camera and microphone access was blocked. Allow access in your browser's address bar (the camera icon), then press Retry.",
    };
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return { phase: "media-error", message: "No camera or microphone was found. Connect one, then press Retry." };
  }
  if (name === "NotReadableError") {
    return {
      phase: "media-error",
      message: "Your camera or microphone is in use by another application. Close it, then press Retry.",
    };
  }
  return { phase: "media-error", message: "Your camera and microphone could not be started. Press Retry." };
}

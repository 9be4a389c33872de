import type { IceServer } from "@clinic/contracts";

export type CallPhase =
  | "starting"
  | "media-denied"
  | "media-error"
  | "connecting"
  | "connected"
  | "reconnecting"
  | "failed"
  | "ended"
  | "replaced";

export type Quality = "good" | "fair" | "poor" | "unknown";

export interface RemoteAttendee {
  attendee_id: string;
  name: string;
  user_type: "DOCTOR" | "PATIENT";
  stream: MediaStream | null;
  audio: boolean;
  video: boolean;
  connection: RTCPeerConnectionState;
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
  remotes: RemoteAttendee[];
  quality: Quality;
  reconnectAttempt: number;
  nextRetryInMs: number | null;
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
  start(): Promise<void>;
  setAudio(enabled: boolean): void;
  setVideo(enabled: boolean): void;
  toggleScreenShare(): Promise<void>;
  /** After a camera/microphone refusal or a failed reconnect: try again from the start. */
  retry(): Promise<void>;
  leave(): void;
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
  remotes: [],
  quality: "unknown",
  reconnectAttempt: 0,
  nextRetryInMs: null,
  message: null,
  endedReason: null,
};

/** A tiny external store, read by React through useSyncExternalStore. */
export class CallStore {
  private state: CallState = initialCallState;
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

import type { ClientSignal, IceServer, RTCIceCandidateLike } from "@clinic/contracts";
import type { VideoEncoding } from "./adaptation.ts";
import { markCall } from "./call-marks.ts";

interface PeerLinkOptions {
  /** null: an offer prepared before anyone to send it to is known; `bind` names them. */
  remoteId: string | null;
  iceServers: IceServer[];
  /** "relay" forces media through TURN; default "all". */
  iceTransportPolicy?: RTCIceTransportPolicy;
  localStream: MediaStream;
  /** The track sent as video: the camera, or the screen while sharing. */
  videoTrack: MediaStreamTrack | null;
  send: (message: ClientSignal) => void;
  onStream: (stream: MediaStream) => void;
  onConnectionState: (state: RTCPeerConnectionState) => void;
}

/**
 * One RTCPeerConnection to one remote attendee. The newcomer offers (contracts/signalling.ts),
 * so there is never glare; ICE candidates that arrive before the remote description wait.
 */
export class PeerLink {
  readonly pc: RTCPeerConnection;
  private readonly pendingIce: RTCIceCandidateInit[] = [];
  private videoSender: RTCRtpSender | null = null;
  private audioSender: RTCRtpSender | null = null;
  private offerer = false;
  private videoEncoding: VideoEncoding | null = null;
  /** Who this link is to (null while a prepared offer waits for `bind`). */
  remoteId: string | null;
  /** What was to be sent before `bind`: sent, in order, once the remote attendee is known. */
  private readonly outbox: ((to: string) => ClientSignal)[] = [];
  /**
   * While an answer is being made: the remote stream (`ontrack` fires inside setRemoteDescription)
   * is reported once the answer is on its way, so the page's re-render it causes does not run
   * between the offer and the answer (bench/README.md Finding 28). No frame can show before then.
   */
  private answering = false;
  private heldStream: MediaStream | null = null;

  constructor(private readonly options: PeerLinkOptions) {
    this.remoteId = options.remoteId;
    this.pc = new RTCPeerConnection({
      iceServers: options.iceServers,
      iceTransportPolicy: options.iceTransportPolicy ?? "all",
    });
    const { localStream, videoTrack } = options;
    for (const track of localStream.getAudioTracks()) this.audioSender = this.pc.addTrack(track, localStream);
    if (videoTrack) this.videoSender = this.pc.addTrack(videoTrack, localStream);
    this.pc.onicecandidate = (event) =>
      this.post((to) => ({ type: "ice", to, candidate: event.candidate ? toWire(event.candidate) : null }));
    this.pc.ontrack = (event) => {
      markCall("remote-track");
      const stream = event.streams[0] ?? new MediaStream([event.track]);
      if (this.answering) this.heldStream = stream;
      else options.onStream(stream);
    };
    this.pc.onconnectionstatechange = () => {
      if (this.pc.connectionState === "connected") markCall("peer-connected");
      options.onConnectionState(this.pc.connectionState);
      // A path that died (e.g. network change) is restarted by the side that offered.
      if (this.pc.connectionState === "failed" && this.offerer) void this.offer(true);
    };
  }

  async offer(iceRestart = false) {
    this.offerer = true;
    const offer = await this.pc.createOffer({ iceRestart });
    await this.pc.setLocalDescription(offer);
    this.post((to) => ({ type: "offer", to, sdp: offer.sdp ?? "" }));
  }

  async acceptOffer(sdp: string) {
    markCall("offer-received");
    this.answering = true;
    try {
      await this.pc.setRemoteDescription({ type: "offer", sdp });
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      this.post((to) => ({ type: "answer", to, sdp: answer.sdp ?? "" }));
    } finally {
      this.answering = false;
      const held = this.heldStream;
      this.heldStream = null;
      if (held) this.options.onStream(held);
    }
    // The candidates that came with the offer wait until the answer is on its way: the offerer
    // needs the answer first, and adding them (one await each) does not change it.
    await this.flushIce();
    await this.applyVideoEncoding();
  }

  async acceptAnswer(sdp: string) {
    markCall("answer-received");
    await this.pc.setRemoteDescription({ type: "answer", sdp });
    await this.flushIce();
    await this.applyVideoEncoding();
  }

  async addIce(candidate: RTCIceCandidateLike | null) {
    if (!candidate) return;
    if (!this.pc.remoteDescription) {
      this.pendingIce.push(candidate);
      return;
    }
    await this.pc.addIceCandidate(candidate).catch(() => undefined);
  }

  /**
   * Names the attendee a prepared offer is for; what waited (the offer, ICE candidates) goes
   * now. First SIGNAL_WELCOME_PEER (the socket is open, `welcome` not yet in), then their id.
   */
  bind(remoteId: string) {
    this.remoteId = remoteId;
    for (const make of this.outbox.splice(0)) this.deliver(make(remoteId));
  }

  private post(make: (to: string) => ClientSignal) {
    if (this.remoteId === null) this.outbox.push(make);
    else this.deliver(make(this.remoteId));
  }

  private deliver(message: ClientSignal) {
    this.options.send(message);
    if (message.type === "offer") markCall("offer-sent");
    else if (message.type === "answer") markCall("answer-sent");
  }

  async replaceVideoTrack(track: MediaStreamTrack | null) {
    await this.videoSender?.replaceTrack(track);
  }

  /** Another microphone mid-call: no renegotiation, the sender just carries the new track. */
  async replaceAudioTrack(track: MediaStreamTrack) {
    await this.audioSender?.replaceTrack(track);
  }

  /**
   * Weak-network adaptation (adaptation.ts): the video sender's resolution scale, frame rate,
   * bitrate cap, or no video at all. Kept and applied again once negotiated, since the sender
   * has no encodings to change before that.
   */
  async setVideoEncoding(encoding: VideoEncoding) {
    this.videoEncoding = encoding;
    await this.applyVideoEncoding();
  }

  private async applyVideoEncoding() {
    const sender = this.videoSender;
    if (!sender || !this.videoEncoding) return;
    const parameters = sender.getParameters();
    const first = parameters.encodings?.[0];
    if (!first) return;
    Object.assign(first, this.videoEncoding);
    await sender.setParameters(parameters).catch(() => undefined);
  }

  close() {
    this.heldStream = null;
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    this.pc.close();
  }

  private async flushIce() {
    for (const candidate of this.pendingIce.splice(0)) {
      await this.pc.addIceCandidate(candidate).catch(() => undefined);
    }
  }
}

function toWire(candidate: RTCIceCandidate): RTCIceCandidateLike {
  const init = candidate.toJSON();
  return {
    candidate: init.candidate ?? "",
    sdpMid: init.sdpMid ?? null,
    sdpMLineIndex: init.sdpMLineIndex ?? null,
    usernameFragment: init.usernameFragment ?? null,
  };
}

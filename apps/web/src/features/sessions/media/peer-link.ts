import type { ClientSignal, IceServer, RTCIceCandidateLike } from "@clinic/contracts";

interface PeerLinkOptions {
  remoteId: string;
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
  private offerer = false;

  constructor(private readonly options: PeerLinkOptions) {
    this.pc = new RTCPeerConnection({
      iceServers: options.iceServers,
      iceTransportPolicy: options.iceTransportPolicy ?? "all",
    });
    const { localStream, videoTrack } = options;
    for (const track of localStream.getAudioTracks()) this.pc.addTrack(track, localStream);
    if (videoTrack) this.videoSender = this.pc.addTrack(videoTrack, localStream);
    this.pc.onicecandidate = (event) =>
      options.send({ type: "ice", to: options.remoteId, candidate: event.candidate ? toWire(event.candidate) : null });
    this.pc.ontrack = (event) => options.onStream(event.streams[0] ?? new MediaStream([event.track]));
    this.pc.onconnectionstatechange = () => {
      options.onConnectionState(this.pc.connectionState);
      // A path that died (e.g. network change) is restarted by the side that offered.
      if (this.pc.connectionState === "failed" && this.offerer) void this.offer(true);
    };
  }

  async offer(iceRestart = false) {
    this.offerer = true;
    const offer = await this.pc.createOffer({ iceRestart });
    await this.pc.setLocalDescription(offer);
    this.options.send({ type: "offer", to: this.options.remoteId, sdp: offer.sdp ?? "" });
  }

  async acceptOffer(sdp: string) {
    await this.pc.setRemoteDescription({ type: "offer", sdp });
    await this.flushIce();
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    this.options.send({ type: "answer", to: this.options.remoteId, sdp: answer.sdp ?? "" });
  }

  async acceptAnswer(sdp: string) {
    await this.pc.setRemoteDescription({ type: "answer", sdp });
    await this.flushIce();
  }

  async addIce(candidate: RTCIceCandidateLike | null) {
    if (!candidate) return;
    if (!this.pc.remoteDescription) {
      this.pendingIce.push(candidate);
      return;
    }
    await this.pc.addIceCandidate(candidate).catch(() => undefined);
  }

  async replaceVideoTrack(track: MediaStreamTrack | null) {
    await this.videoSender?.replaceTrack(track);
  }

  close() {
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

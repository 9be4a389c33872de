/**
 * The camera, microphone and speaker a person chose (pre-call check or the call's Devices
 * menu), remembered in this browser so the next call starts with them. Device ids only: no
 * labels, nothing that names the person.
 */
export type DeviceKind = "videoinput" | "audioinput" | "audiooutput";
export type DeviceChoice = Record<DeviceKind, string | null>;

const storageKey = "clinic.devices";
const kinds: DeviceKind[] = ["videoinput", "audioinput", "audiooutput"];

export function loadDeviceChoice(): DeviceChoice {
  const choice: DeviceChoice = { videoinput: null, audioinput: null, audiooutput: null };
  try {
    const stored: unknown = JSON.parse(globalThis.localStorage?.getItem(storageKey) ?? "null");
    if (stored && typeof stored === "object") {
      for (const kind of kinds) {
        const id = (stored as Record<string, unknown>)[kind];
        if (typeof id === "string" && id.length > 0 && id.length <= 256) choice[kind] = id;
      }
    }
  } catch {
    // Storage blocked (private mode) or a broken value: the browser's defaults.
  }
  return choice;
}

export function rememberDevice(kind: DeviceKind, deviceId: string): void {
  try {
    globalThis.localStorage?.setItem(storageKey, JSON.stringify({ ...loadDeviceChoice(), [kind]: deviceId }));
  } catch {
    // Not remembered; the choice still applies to this call.
  }
}

/**
 * getUserMedia constraints for the remembered devices, asked for exactly (Chromium ignores an
 * `ideal` deviceId). With nothing remembered, the plain `true` of every browser's default.
 */
export function mediaConstraints(choice: DeviceChoice = loadDeviceChoice()): MediaStreamConstraints {
  return {
    audio: choice.audioinput ? { deviceId: { exact: choice.audioinput } } : true,
    video: choice.videoinput ? { deviceId: { exact: choice.videoinput } } : true,
  };
}

/**
 * The camera and microphone for a call or a check: the remembered ones, or, when one of them
 * is gone (unplugged since: OverconstrainedError/NotFoundError), the browser's defaults, so a
 * stale choice never stops a call from starting. Refusals (NotAllowedError) are thrown as they are.
 */
export async function openCameraAndMicrophone(choice: DeviceChoice = loadDeviceChoice()): Promise<MediaStream> {
  const remembered = mediaConstraints(choice);
  if (remembered.audio === true && remembered.video === true) return navigator.mediaDevices.getUserMedia(remembered);
  try {
    return await navigator.mediaDevices.getUserMedia(remembered);
  } catch (error) {
    const name = error instanceof Error || error instanceof DOMException ? error.name : "";
    if (name !== "OverconstrainedError" && name !== "NotFoundError") throw error;
    return navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  }
}

/** Stops the tracks of a stream asked for but not used (no camera light left on), whenever it arrives. */
export function releaseMedia(media: Promise<MediaStream>): void {
  media.then(
    (stream) => {
      for (const track of stream.getTracks()) track.stop();
    },
    () => undefined,
  );
}

/** One device switch: this device and no other (the person picked it by name). */
export function exactDeviceConstraints(kind: "videoinput" | "audioinput", deviceId: string): MediaStreamConstraints {
  return kind === "videoinput"
    ? { video: { deviceId: { exact: deviceId } } }
    : { audio: { deviceId: { exact: deviceId } } };
}

/** The devices a stream actually uses (the browser may have fallen back from the remembered one). */
export function devicesOf(stream: MediaStream | null, speaker: string | null): DeviceChoice {
  const idOf = (track: MediaStreamTrack | undefined) => track?.getSettings?.().deviceId ?? null;
  return {
    videoinput: idOf(stream?.getVideoTracks()[0]),
    audioinput: idOf(stream?.getAudioTracks()[0]),
    audiooutput: speaker,
  };
}

/** HTMLMediaElement.setSinkId: Chrome, Edge and Firefox on desktop; not Safari, not on phones' browsers mostly. */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;
}

/** Plays `element` through the chosen speaker, where the browser lets a page choose. */
export async function playThrough(element: HTMLMediaElement, deviceId: string | null): Promise<void> {
  if (!deviceId || !canChooseSpeaker()) return;
  const sink = element as HTMLMediaElement & { setSinkId(id: string): Promise<void>; sinkId?: string };
  if (sink.sinkId === deviceId) return;
  await sink.setSinkId(deviceId);
}

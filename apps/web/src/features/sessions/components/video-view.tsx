import { type CSSProperties, useEffect, useRef } from "react";
import { playThrough } from "../media/devices.ts";

interface Props {
  stream: MediaStream | null;
  label: string;
  /** The local preview is muted so the doctor does not hear themselves. */
  muted?: boolean;
  mirrored?: boolean;
  hidden?: boolean;
  /**
   * "contain" for the other person's video: a phone held upright sends a portrait picture,
   * which "cover" would crop to a strip of their face. The own preview may fill its box.
   */
  fit?: "cover" | "contain";
  /** The speaker chosen for this element's sound (setSinkId where the browser has it). */
  sinkId?: string | null;
  style?: CSSProperties;
}

export function VideoView({
  stream,
  label,
  muted = false,
  mirrored = false,
  hidden = false,
  fit = "cover",
  sinkId = null,
  style,
}: Props) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    // A speaker that went away meanwhile: the sound stays on the default one.
    if (ref.current && sinkId) void playThrough(ref.current, sinkId).catch(() => undefined);
  }, [sinkId]);
  useEffect(() => {
    const video = ref.current;
    if (!video || video.srcObject === stream) return;
    video.srcObject = stream;
    if (stream) void video.play().catch(() => undefined);
  }, [stream]);
  return (
    <video
      ref={ref}
      aria-label={label}
      autoPlay
      playsInline
      muted={muted}
      style={{
        width: "100%",
        height: "100%",
        objectFit: fit,
        background: "#111",
        transform: mirrored ? "scaleX(-1)" : undefined,
        // Kept in the layout while hidden so its audio keeps playing behind the patient card.
        opacity: hidden ? 0 : 1,
        ...style,
      }}
    />
  );
}

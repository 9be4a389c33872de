import { type CSSProperties, useEffect, useRef } from "react";

interface Props {
  stream: MediaStream | null;
  label: string;
  /** The local preview is muted so the doctor does not hear themselves. */
  muted?: boolean;
  mirrored?: boolean;
  hidden?: boolean;
  style?: CSSProperties;
}

export function VideoView({ stream, label, muted = false, mirrored = false, hidden = false, style }: Props) {
  const ref = useRef<HTMLVideoElement>(null);
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
        objectFit: "cover",
        background: "#111",
        transform: mirrored ? "scaleX(-1)" : undefined,
        // Kept in the layout while hidden so its audio keeps playing behind the patient card.
        opacity: hidden ? 0 : 1,
        ...style,
      }}
    />
  );
}

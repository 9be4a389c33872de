import { useEffect, useState } from "react";

/**
 * The browser's cameras, microphones and speakers, kept current when one is plugged in or out.
 * Labels are empty until the person allowed the camera once: `refreshKey` (the stream) reads
 * the list again after that.
 */
export function useMediaDevices(refreshKey: unknown): MediaDeviceInfo[] {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new `refreshKey` reads the list again.
  useEffect(() => {
    const media = navigator.mediaDevices;
    if (typeof media?.enumerateDevices !== "function") return;
    let current = true;
    const read = () =>
      void media
        .enumerateDevices()
        .then((list) => {
          if (current) setDevices(list.filter((d) => d.deviceId !== ""));
        })
        .catch(() => undefined);
    read();
    media.addEventListener?.("devicechange", read);
    return () => {
      current = false;
      media.removeEventListener?.("devicechange", read);
    };
  }, [refreshKey]);
  return devices;
}

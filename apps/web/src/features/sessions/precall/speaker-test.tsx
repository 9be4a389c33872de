import { Button, Group, Text } from "@mantine/core";
import { useEffect, useRef, useState } from "react";
import { playThrough } from "../media/devices.ts";

/** A short tone as a WAV file: 16-bit mono PCM, faded in and out so it does not click. */
export function toneWav(seconds = 0.8, hz = 660, rate = 16_000): Blob {
  const count = Math.round(seconds * rate);
  const buffer = new ArrayBuffer(44 + count * 2);
  const view = new DataView(buffer);
  const text = (offset: number, value: string) => {
    for (let i = 0; i < value.length; i++) view.setUint8(offset + i, value.charCodeAt(i));
  };
  text(0, "RIFF");
  view.setUint32(4, 36 + count * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, count * 2, true);
  const fade = Math.round(rate * 0.05);
  for (let i = 0; i < count; i++) {
    const envelope = Math.min(1, i / fade, (count - i) / fade);
    view.setInt16(44 + i * 2, Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * envelope * 0.4 * 32767), true);
  }
  return new Blob([buffer], { type: "audio/wav" });
}

/** Plays a test tone through the chosen speaker (or the device's own, where a page cannot choose). */
export function SpeakerTest({ sinkId }: { sinkId: string | null }) {
  const audio = useRef<HTMLAudioElement | null>(null);
  const [played, setPlayed] = useState<"no" | "yes" | "failed">("no");
  useEffect(
    () => () => {
      audio.current?.pause();
      if (audio.current?.src) URL.revokeObjectURL(audio.current.src);
    },
    [],
  );
  const play = async () => {
    audio.current ??= new Audio(URL.createObjectURL(toneWav()));
    try {
      await playThrough(audio.current, sinkId);
      audio.current.currentTime = 0;
      await audio.current.play();
      setPlayed("yes");
    } catch {
      setPlayed("failed");
    }
  };
  return (
    <Group gap="sm" wrap="wrap">
      <Button variant="default" size="xs" onClick={() => void play()}>
        Play test sound
      </Button>
      {played === "yes" && (
        <Text size="sm" role="status">
          Did you hear a tone? If not, turn the volume up or choose another speaker.
        </Text>
      )}
      {played === "failed" && (
        <Text size="sm" role="status" c="red">
          The test sound could not be played on this speaker. Choose another one.
        </Text>
      )}
    </Group>
  );
}

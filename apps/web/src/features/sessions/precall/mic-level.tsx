import { Box, Text } from "@mantine/core";
import { useEffect, useState } from "react";

/** Updates per second of the shown level: enough to see speech, few re-renders. */
const updatesPerSecond = 12;

/**
 * A microphone level meter: the stream's audio through a Web Audio AnalyserNode, its loudness
 * (RMS, scaled so normal speech fills most of the bar) as a bar with role="meter".
 */
export function MicLevel({ stream }: { stream: MediaStream }) {
  const [level, setLevel] = useState(0);
  const [available, setAvailable] = useState(true);

  useEffect(() => {
    const AudioContextClass = globalThis.AudioContext;
    if (typeof AudioContextClass !== "function" || stream.getAudioTracks().length === 0) {
      setAvailable(false);
      return;
    }
    const context = new AudioContextClass();
    const source = context.createMediaStreamSource(stream);
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let frame = 0;
    let last = 0;
    const tick = (now: number) => {
      frame = requestAnimationFrame(tick);
      if (now - last < 1000 / updatesPerSecond) return;
      last = now;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      const rms = Math.sqrt(sum / samples.length);
      setLevel(Math.min(100, Math.round(rms * 400)));
    };
    // Some browsers start the context suspended until a click: the check starts with one.
    void context.resume().catch(() => undefined);
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      source.disconnect();
      void context.close().catch(() => undefined);
    };
  }, [stream]);

  if (!available) {
    return (
      <Text size="sm" c="dimmed">
        Microphone level: not shown in this browser.
      </Text>
    );
  }
  return (
    <Box>
      <Text size="sm" id="mic-level-label">
        Microphone level — speak and watch the bar move
      </Text>
      <Box
        role="meter"
        aria-labelledby="mic-level-label"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={level}
        h={10}
        style={{ background: "var(--mantine-color-gray-3)", borderRadius: 5, overflow: "hidden" }}
      >
        <Box
          h="100%"
          style={{
            width: `${level}%`,
            background: "var(--mantine-color-green-6)",
            transition: "width 80ms linear",
          }}
        />
      </Box>
    </Box>
  );
}

import { Alert, Box, Button, Stack, Text } from "@mantine/core";
import { useEffect, useRef, useState } from "react";
import { describeMediaError } from "../media/call-state.ts";
import { VideoView } from "./video-view.tsx";

type Check =
  | { kind: "idle" }
  | { kind: "checking" }
  | { kind: "ok"; stream: MediaStream }
  | { kind: "failed"; message: string };

const stopAll = (stream: MediaStream) => {
  for (const track of stream.getTracks()) track.stop();
};

/**
 * A pre-call step: asks for the camera and microphone once, so the browser's permission prompt
 * and any blocked device are dealt with while waiting, not when the doctor is already there.
 * Shows the picture; the devices are released when the step goes away (the call asks again).
 */
export function DeviceCheck() {
  const [check, setCheck] = useState<Check>({ kind: "idle" });
  const stream = useRef<MediaStream | null>(null);
  useEffect(
    () => () => {
      if (stream.current) stopAll(stream.current);
    },
    [],
  );

  const run = async () => {
    setCheck({ kind: "checking" });
    try {
      const got = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      if (stream.current) stopAll(stream.current);
      stream.current = got;
      setCheck({ kind: "ok", stream: got });
    } catch (error) {
      setCheck({ kind: "failed", message: describeMediaError(error).message });
    }
  };

  return (
    <Stack gap="xs" component="section" aria-label="Camera and microphone">
      {check.kind === "ok" ? (
        <>
          <Box w={160} h={120} style={{ borderRadius: 8, overflow: "hidden" }}>
            <VideoView stream={check.stream} label="Camera preview" muted mirrored />
          </Box>
          <Text role="status" size="sm">
            Your camera and microphone work.
          </Text>
        </>
      ) : check.kind === "failed" ? (
        <Alert color="red" title="Camera or microphone not available" role="alert">
          <Text size="sm">{check.message}</Text>
          <Button mt="sm" size="xs" variant="light" onClick={() => void run()}>
            Retry
          </Button>
        </Alert>
      ) : (
        <>
          <Text size="sm">Check that your camera and microphone work before the doctor starts.</Text>
          <Button variant="default" w="fit-content" loading={check.kind === "checking"} onClick={() => void run()}>
            Check camera and microphone
          </Button>
        </>
      )}
    </Stack>
  );
}

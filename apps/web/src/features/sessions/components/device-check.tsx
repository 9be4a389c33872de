import { Alert, Box, Button, Stack, Text } from "@mantine/core";
import { useEffect, useRef, useState } from "react";
import { describeMediaError } from "../media/call-state.ts";
import {
  type DeviceChoice,
  type DeviceKind,
  devicesOf,
  loadDeviceChoice,
  openCameraAndMicrophone,
  rememberDevice,
} from "../media/devices.ts";
import { ConnectivityTest } from "../precall/connectivity-test.tsx";
import { DevicePickers } from "../precall/device-pickers.tsx";
import { MicLevel } from "../precall/mic-level.tsx";
import { PermissionHelp } from "../precall/permission-help.tsx";
import { SpeakerTest } from "../precall/speaker-test.tsx";
import { useMediaDevices } from "../precall/use-media-devices.ts";
import { VideoView } from "./video-view.tsx";

type Check =
  | { kind: "idle" }
  | { kind: "checking" }
  | { kind: "ok"; stream: MediaStream }
  | { kind: "blocked" }
  | { kind: "no-devices" }
  | { kind: "failed"; message: string };

const stopAll = (stream: MediaStream) => {
  for (const track of stream.getTracks()) track.stop();
};

/**
 * The pre-call check (issue 12): camera preview, microphone level, a test sound, the camera /
 * microphone / speaker pickers (remembered for the call) and a connection test with a plain
 * verdict. A blocked camera shows how to unblock it in this browser, with Retry. The devices
 * are released when the check goes away (the call asks again, with the chosen ones).
 */
export function DeviceCheck() {
  const [check, setCheck] = useState<Check>({ kind: "idle" });
  const [choice, setChoice] = useState<DeviceChoice>(loadDeviceChoice);
  const [connectivityRun, setConnectivityRun] = useState(0);
  const stream = useRef<MediaStream | null>(null);
  const devices = useMediaDevices(check.kind === "ok" ? check.stream : check.kind);
  useEffect(
    () => () => {
      if (stream.current) stopAll(stream.current);
    },
    [],
  );

  const run = async (devices: DeviceChoice = loadDeviceChoice()) => {
    setCheck({ kind: "checking" });
    if (stream.current) stopAll(stream.current);
    stream.current = null;
    try {
      const got = await openCameraAndMicrophone(devices);
      stream.current = got;
      setChoice((previous) => ({ ...devicesOf(got, previous.audiooutput) }));
      setCheck({ kind: "ok", stream: got });
    } catch (error) {
      const described = describeMediaError(error);
      const name = error instanceof Error || error instanceof DOMException ? error.name : "";
      if (described.phase === "media-denied") setCheck({ kind: "blocked" });
      else if (name === "NotFoundError") setCheck({ kind: "no-devices" });
      else setCheck({ kind: "failed", message: described.message });
    }
  };

  const start = () => {
    setConnectivityRun((n) => n + 1);
    void run();
  };

  const pick = (kind: DeviceKind, deviceId: string) => {
    rememberDevice(kind, deviceId);
    const next = { ...choice, [kind]: deviceId };
    setChoice(next);
    if (kind !== "audiooutput") void run(next);
  };

  const retry = (
    <Button mt="sm" size="xs" variant="light" onClick={() => void run()}>
      Retry
    </Button>
  );

  return (
    <Stack gap="sm" component="section" aria-label="Camera and microphone">
      {check.kind === "ok" ? (
        <>
          <Box w={200} h={150} style={{ borderRadius: 8, overflow: "hidden" }}>
            <VideoView stream={check.stream} label="Camera preview" muted mirrored />
          </Box>
          <Text role="status" size="sm">
            Your camera and microphone work.
          </Text>
          <MicLevel stream={check.stream} />
          <SpeakerTest sinkId={choice.audiooutput} />
          <DevicePickers devices={devices} selected={choice} onChange={pick} />
        </>
      ) : check.kind === "blocked" ? (
        <Alert color="red" title="Camera and microphone are blocked" role="alert">
          <Text size="sm">
            This page is not allowed to use your camera and microphone, so the doctor could not see or hear you.
          </Text>
          <PermissionHelp />
          {retry}
        </Alert>
      ) : check.kind === "no-devices" ? (
        <Alert color="red" title="No camera or microphone found" role="alert">
          <Text size="sm">
            Connect a camera and a microphone (or a headset), or use a phone or laptop that has them. If one is
            connected, check that it is switched on and not turned off in the device's settings.
          </Text>
          {retry}
        </Alert>
      ) : check.kind === "failed" ? (
        <Alert color="red" title="Camera or microphone not available" role="alert">
          <Text size="sm">{check.message}</Text>
          {retry}
        </Alert>
      ) : (
        <>
          <Text size="sm">Check that your camera, microphone, sound and connection work before the call.</Text>
          <Button variant="default" w="fit-content" loading={check.kind === "checking"} onClick={start}>
            Check camera and microphone
          </Button>
        </>
      )}
      <ConnectivityTest startKey={connectivityRun} />
    </Stack>
  );
}

import { NativeSelect, Stack, Text } from "@mantine/core";
import { canChooseSpeaker, type DeviceChoice, type DeviceKind } from "../media/devices.ts";

const names: Record<DeviceKind, string> = { videoinput: "Camera", audioinput: "Microphone", audiooutput: "Speaker" };

interface Props {
  devices: MediaDeviceInfo[];
  /** What is in use now (null: the browser's default). */
  selected: DeviceChoice;
  onChange: (kind: DeviceKind, deviceId: string) => void;
  disabled?: boolean;
}

/**
 * Camera, microphone and speaker pickers, used by the pre-call check and the call's Devices
 * menu alike. A speaker can only be chosen where the browser lets a page pick one (setSinkId).
 */
export function DevicePickers({ devices, selected, onChange, disabled = false }: Props) {
  const picker = (kind: DeviceKind) => {
    const ofKind = devices.filter((d) => d.kind === kind);
    if (ofKind.length === 0) {
      return (
        <Text size="sm" c="dimmed" key={kind}>
          {names[kind]}: none found
        </Text>
      );
    }
    const value = ofKind.some((d) => d.deviceId === selected[kind]) ? (selected[kind] ?? "") : ofKind[0]!.deviceId;
    return (
      <NativeSelect
        key={kind}
        label={names[kind]}
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(kind, event.currentTarget.value)}
        data={ofKind.map((d, i) => ({ value: d.deviceId, label: d.label || `${names[kind]} ${i + 1}` }))}
      />
    );
  };
  return (
    <Stack gap="xs">
      {picker("videoinput")}
      {picker("audioinput")}
      {canChooseSpeaker() ? (
        picker("audiooutput")
      ) : (
        <Text size="sm" c="dimmed">
          Speaker: this browser plays sound through the device's current speaker or headphones; change it in the
          device's sound settings.
        </Text>
      )}
    </Stack>
  );
}

import { Button, Popover } from "@mantine/core";
import type { DeviceChoice, DeviceKind } from "../media/devices.ts";
import { DevicePickers } from "./device-pickers.tsx";
import { useMediaDevices } from "./use-media-devices.ts";

interface Props {
  /** The camera/microphone stream in use: the list is read again when it changes (labels). */
  stream: MediaStream | null;
  selected: DeviceChoice;
  onSwitch: (kind: DeviceKind, deviceId: string) => void;
  disabled?: boolean;
}

/** The call's "Devices" menu: another camera, microphone or speaker without leaving the call. */
export function DevicesMenu({ stream, selected, onSwitch, disabled = false }: Props) {
  const devices = useMediaDevices(stream);
  return (
    <Popover position="top-start" width={320} shadow="md" withArrow trapFocus>
      <Popover.Target>
        <Button variant="default" disabled={disabled} leftSection={<span aria-hidden="true">⚙️</span>}>
          Devices
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <DevicePickers devices={devices} selected={selected} onChange={onSwitch} />
      </Popover.Dropdown>
    </Popover>
  );
}

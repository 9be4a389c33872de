import { Button, Group } from "@mantine/core";
import type { CallState } from "../media/call-state.ts";
import type { DeviceKind } from "../media/devices.ts";
import { DevicesMenu } from "../precall/devices-menu.tsx";
import { CALL_NOTES_PANEL_ID, CALL_NOTES_TOGGLE_ID } from "./call-notes-panel.tsx";

interface Props {
  role: "DOCTOR" | "PATIENT";
  state: CallState;
  canShareScreen: boolean;
  onToggleAudio: () => void;
  onToggleVideo: () => void;
  onToggleScreenShare: () => void;
  /** Another camera, microphone or speaker mid-call (the Devices menu); absent: no menu. */
  onSwitchDevice?: (kind: DeviceKind, deviceId: string) => void;
  onEnd: () => void;
  /** The doctor's notes panel (issue 16); absent for the patient. */
  notesOpen?: boolean;
  onToggleNotes?: () => void;
}

export function CallControls({ role, state, canShareScreen, ...on }: Props) {
  const live = state.localStream !== null;
  return (
    <Group gap="xs" role="toolbar" aria-label="Call controls">
      <Button
        variant="default"
        onClick={on.onToggleAudio}
        disabled={!live}
        leftSection={<span aria-hidden="true">🎤</span>}
      >
        {state.audioEnabled ? "Mute" : "Unmute"}
      </Button>
      <Button
        variant="default"
        onClick={on.onToggleVideo}
        disabled={!live}
        leftSection={<span aria-hidden="true">📹</span>}
      >
        {state.videoEnabled ? "Stop Video" : "Resume Video"}
      </Button>
      {on.onSwitchDevice && (
        <DevicesMenu
          stream={state.localStream}
          selected={state.devices}
          onSwitch={on.onSwitchDevice}
          disabled={!live}
        />
      )}
      {canShareScreen && (
        <Button variant="default" onClick={on.onToggleScreenShare} disabled={!live}>
          {state.screenSharing ? "Stop Sharing" : "Share Screen"}
        </Button>
      )}
      {on.onToggleNotes && (
        <Button
          id={CALL_NOTES_TOGGLE_ID}
          variant={on.notesOpen ? "light" : "default"}
          onClick={on.onToggleNotes}
          aria-expanded={on.notesOpen ?? false}
          aria-controls={on.notesOpen ? CALL_NOTES_PANEL_ID : undefined}
          leftSection={<span aria-hidden="true">📝</span>}
        >
          Notes
        </Button>
      )}
      <Button color="red" onClick={on.onEnd}>
        {role === "DOCTOR" ? "End Call" : "Leave"}
      </Button>
    </Group>
  );
}

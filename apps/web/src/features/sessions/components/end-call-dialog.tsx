import { Button, Group, Modal, Text } from "@mantine/core";

interface Props {
  opened: boolean;
  ending: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}

export function EndCallDialog({ opened, ending, onCancel, onConfirm }: Props) {
  return (
    <Modal opened={opened} onClose={onCancel} title="End the consultation?" centered>
      <Text size="sm">
        This ends the video call for everyone, and the appointment is marked completed. You can add notes next.
      </Text>
      <Group justify="flex-end" mt="lg">
        <Button variant="default" onClick={onCancel}>
          Keep talking
        </Button>
        <Button color="red" onClick={onConfirm} loading={ending}>
          End consultation
        </Button>
      </Group>
    </Modal>
  );
}

import { Button, Loader, Modal } from "@mantine/core";
import { lazy, Suspense, useState } from "react";

// Fetched when the dialog first opens: the pages that show the button do not carry the check.
const DeviceCheck = lazy(async () => ({ default: (await import("../components/device-check.tsx")).DeviceCheck }));

/** The doctor's way to the same pre-call check: a button that opens it in a dialog. */
export function PreCallCheckButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant="default"
        size="xs"
        onClick={() => setOpen(true)}
        leftSection={<span aria-hidden="true">🎧</span>}
      >
        Check camera &amp; sound
      </Button>
      <Modal
        opened={open}
        onClose={() => setOpen(false)}
        title="Check camera & sound"
        size="md"
        closeButtonProps={{ "aria-label": "Close" }}
      >
        {/* Mounted only while open: the camera is released when the dialog closes. */}
        {open && (
          <Suspense fallback={<Loader size="sm" aria-label="Loading the check" />}>
            <DeviceCheck />
          </Suspense>
        )}
      </Modal>
    </>
  );
}

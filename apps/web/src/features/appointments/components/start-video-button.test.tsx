import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { StartVideoButton } from "./start-video-button.tsx";

const start = "2026-01-25T14:00:00Z";

function renderButton(now: string, blockedReason: string | null = null) {
  const onStart = vi.fn();
  render(
    <MantineProvider>
      <StartVideoButton
        startTime={start}
        durationMinutes={30}
        now={new Date(now)}
        blockedReason={blockedReason}
        loading={false}
        onStart={onStart}
      />
    </MantineProvider>,
  );
  return { onStart, button: screen.getByRole("button", { name: "Start Video" }) };
}

async function tooltipOf(button: HTMLElement) {
  await userEvent.hover(button.parentElement ?? button);
  return (await screen.findByRole("tooltip")).textContent;
}

describe("Start Video button and the join window", () => {
  it("is disabled before the window and says when it opens", async () => {
    const { button, onStart } = renderButton("2026-01-25T13:30:00Z");
    expect(button).toBeDisabled();
    expect(await tooltipOf(button)).toMatch(/^Video opens at /);
    await userEvent.click(button);
    expect(onStart).not.toHaveBeenCalled();
  });

  it("is enabled from 10 minutes before the start and starts on click", async () => {
    const { button, onStart } = renderButton("2026-01-25T13:50:00Z");
    expect(button).toBeEnabled();
    expect(await tooltipOf(button)).toMatch(/^Video is open until /);
    await userEvent.click(button);
    expect(onStart).toHaveBeenCalledOnce();
  });

  it("is still enabled 30 minutes after the scheduled end, and disabled after that", async () => {
    expect(renderButton("2026-01-25T15:00:00Z").button).toBeEnabled();
    document.body.innerHTML = "";
    const late = renderButton("2026-01-25T15:00:01Z");
    expect(late.button).toBeDisabled();
    expect(await tooltipOf(late.button)).toBe("The time to start this video consultation has passed");
  });

  it("is disabled with the reason when video is blocked, even inside the window", async () => {
    const { button } = renderButton("2026-01-25T14:00:00Z", "Free Tier limit exceeded. Video consultations disabled.");
    expect(button).toBeDisabled();
    expect(await tooltipOf(button)).toBe("Free Tier limit exceeded. Video consultations disabled.");
  });
});

import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { UsageSession } from "../api/get-usage.ts";
import { UsageTable } from "./usage-table.tsx";

const session = (n: number): UsageSession => ({
  session_id: `sess-00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  patient_name: `Patient ${n}`,
  start_time: "2026-01-25T14:00:00.000Z",
  duration_minutes: 30,
  attendees: 2,
  attendee_minutes: 55,
});

describe("UsageTable", () => {
  it("pages through the month's sessions: says which ones are shown and asks for the page clicked", () => {
    const onPageChange = vi.fn();
    render(
      <MantineProvider>
        <UsageTable
          sessions={Array.from({ length: 50 }, (_, i) => session(51 + i))}
          total={120}
          page={2}
          onPageChange={onPageChange}
        />
      </MantineProvider>,
    );
    expect(screen.getByText("Sessions 51–100 of 120")).toBeTruthy();
    expect(screen.getByText("Patient 51")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "3" }));
    expect(onPageChange).toHaveBeenCalledWith(3);
  });

  it("shows no pager for a single page, and says so when the month has no sessions", () => {
    const { rerender } = render(
      <MantineProvider>
        <UsageTable sessions={[session(1)]} total={1} page={1} onPageChange={() => {}} />
      </MantineProvider>,
    );
    expect(screen.queryByText(/Sessions 1–1 of 1/)).toBeNull();
    rerender(
      <MantineProvider>
        <UsageTable sessions={[]} total={0} />
      </MantineProvider>,
    );
    expect(screen.getByText("No video sessions in this month.")).toBeTruthy();
  });
});

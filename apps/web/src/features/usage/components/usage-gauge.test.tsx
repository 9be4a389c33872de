import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { usage } from "../../../test/fixtures.ts";
import type { UsageStatus } from "../api/get-usage.ts";
import { UsageGauge } from "./usage-gauge.tsx";

const cases: [UsageStatus, number, string][] = [
  ["HEALTHY", 45, "green"],
  ["WARNING", 65, "yellow"],
  ["CRITICAL", 92.5, "orange"],
  ["EXCEEDED", 120, "red"],
];

describe("UsageGauge", () => {
  it.each(cases)("%s at %d %% is drawn %s with its label", (status, pct, colour) => {
    const { container } = render(
      <MantineProvider>
        <UsageGauge
          usage={usage({
            status,
            usage_percentage: pct,
            total_attendee_minutes: pct * 10,
            remaining_minutes: 1000 - pct * 10,
          })}
        />
      </MantineProvider>,
    );
    const meter = screen.getByRole("meter", { name: `Free tier usage ${pct}%` });
    expect(meter).toHaveAttribute("aria-valuenow", String(pct));
    expect(screen.getByText(status)).toBeInTheDocument();
    expect(screen.getByText(`Free Tier: ${pct} %`)).toBeInTheDocument();
    const strokes = [...container.querySelectorAll("circle")].map((c) => c.getAttribute("style") ?? "");
    expect(strokes.some((s) => s.includes(`--mantine-color-${colour}-`))).toBe(true);
    expect(screen.getByText(new RegExp(`${Math.round(pct * 10)} of 1000 attendee-minutes used`))).toBeInTheDocument();
  });

  it("labels a small share with two decimals: Free Tier: 0.03 %", () => {
    render(
      <MantineProvider>
        <UsageGauge
          usage={usage({ usage_percentage: 0.0333, total_attendee_minutes: 0.3, remaining_minutes: 999.7 })}
        />
      </MantineProvider>,
    );
    expect(screen.getByText("Free Tier: 0.03 %")).toBeInTheDocument();
  });

  it("never draws more than a full ring and never shows negative minutes left", () => {
    render(
      <MantineProvider>
        <UsageGauge
          usage={usage({
            status: "EXCEEDED",
            usage_percentage: 150,
            total_attendee_minutes: 1500,
            remaining_minutes: -500,
          })}
        />
      </MantineProvider>,
    );
    expect(screen.getByText(/1500 of 1000 attendee-minutes used, 0 left/)).toBeInTheDocument();
  });
});

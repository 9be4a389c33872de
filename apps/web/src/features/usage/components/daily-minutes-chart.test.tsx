import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { usage } from "../../../test/fixtures.ts";
import { DailyMinutesChart } from "./daily-minutes-chart.tsx";

const mid = new Date("2026-01-16T00:00:00Z");

describe("DailyMinutesChart", () => {
  it("warns, with the day, when the forecast passes the free tier before month end", () => {
    render(
      <MantineProvider>
        <DailyMinutesChart
          now={mid}
          usage={usage({
            status: "WARNING",
            total_attendee_minutes: 600,
            forecast_minutes: 1240,
            forecast_status: "EXCEEDED",
            forecast_exceeds_on: "2026-01-26",
          })}
        />
      </MantineProvider>,
    );
    expect(screen.getByRole("status")).toHaveTextContent(/Free tier forecast.*will run out around (26 Jan|Jan 26)/);
    expect(screen.getByText(/about 1240 projected by month end \(exceeded\)/)).toBeInTheDocument();
  });

  it("shows no warning while the forecast stays within the free tier, nor a projection for a past month", () => {
    render(
      <MantineProvider>
        <DailyMinutesChart now={new Date("2026-02-10T00:00:00Z")} usage={usage()} />
      </MantineProvider>,
    );
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
    expect(screen.getByText(/450 in total\.$/)).toBeInTheDocument();
  });
});

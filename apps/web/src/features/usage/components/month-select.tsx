import { Select } from "@mantine/core";
import { clinicTimeZone } from "../../../lib/clinic-time-zone.ts";
import { currentMonth } from "../../../lib/format.ts";

/** The last twelve months of the clinic's calendar, newest first, as YYYY-MM. */
export function recentMonths(now = new Date(), count = 12, zone = clinicTimeZone.get()): string[] {
  const [year, month] = currentMonth(now, zone).split("-").map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(year, month - 1 - i, 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
  });
}

const label = (month: string) =>
  new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(`${month}-01T12:00:00Z`),
  );

export function MonthSelect({ value, onChange }: { value: string; onChange: (month: string) => void }) {
  return (
    <Select
      label="Month"
      description={`Calendar months in ${clinicTimeZone.get()}`}
      w={220}
      allowDeselect={false}
      value={value}
      onChange={(v) => v && onChange(v)}
      data={recentMonths().map((m) => ({ value: m, label: label(m) }))}
    />
  );
}

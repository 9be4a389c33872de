import { Select } from "@mantine/core";

/** The last twelve months, newest first, as YYYY-MM. */
export function recentMonths(now = new Date(), count = 12): string[] {
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(now.getFullYear(), now.getMonth() - i, 1);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
  });
}

const label = (month: string) =>
  new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric" }).format(new Date(`${month}-01T12:00:00`));

export function MonthSelect({ value, onChange }: { value: string; onChange: (month: string) => void }) {
  return (
    <Select
      label="Month"
      w={220}
      allowDeselect={false}
      value={value}
      onChange={(v) => v && onChange(v)}
      data={recentMonths().map((m) => ({ value: m, label: label(m) }))}
    />
  );
}

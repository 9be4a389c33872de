import "@mantine/dates/styles.css";
import { DateTimePicker } from "@mantine/dates";
import { todayIn } from "../booking-rules.ts";

interface Props {
  label: string;
  /** Wall-clock "YYYY-MM-DD HH:mm:ss" in `zone` (what the picker works with), or null. */
  value: string | null;
  onChange: (value: string | null) => void;
  zone: string;
  error?: string | undefined;
}

/**
 * Date and time as the clinic's clock shows them: the picker knows no zones, so its value is
 * read in the clinic's zone (booking-rules.ts → format.ts zonedWallClockToIso), and the field
 * says which zone that is.
 */
export function ZonedDateTimeField({ label, value, onChange, zone, error }: Props) {
  return (
    <DateTimePicker
      label={`${label} (${zone})`}
      description={`In the clinic's time zone, ${zone}`}
      placeholder="Pick date and time"
      value={value}
      onChange={(next) => onChange(next)}
      valueFormat="D MMM YYYY, HH:mm"
      minDate={todayIn(zone)}
      error={error}
      required
      popoverProps={{ withinPortal: true }}
      timePickerProps={{ "aria-label": "Time", hoursInputLabel: "Hours", minutesInputLabel: "Minutes" }}
      submitButtonProps={{ "aria-label": "Confirm date and time" }}
      ariaLabels={{
        nextMonth: "Next month",
        previousMonth: "Previous month",
        nextYear: "Next year",
        previousYear: "Previous year",
        nextDecade: "Next decade",
        previousDecade: "Previous decade",
        monthLevelControl: "Choose the month",
        yearLevelControl: "Choose the year",
      }}
    />
  );
}

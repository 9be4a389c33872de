import type { UsageSession } from "./api/get-usage.ts";

/** Attendee-minutes per day of the month (YYYY-MM), every day present so the chart has no gaps. */
export function dailyMinutes(month: string, sessions: UsageSession[]): { day: string; minutes: number }[] {
  const [year, monthNumber] = month.split("-").map(Number);
  if (!year || !monthNumber) return [];
  const days = new Date(year, monthNumber, 0).getDate();
  const totals = new Array<number>(days).fill(0);
  for (const session of sessions) {
    if (!session.start_time) continue;
    const start = new Date(session.start_time);
    if (start.getFullYear() !== year || start.getMonth() + 1 !== monthNumber) continue;
    totals[start.getDate() - 1] = (totals[start.getDate() - 1] ?? 0) + session.attendee_minutes;
  }
  return totals.map((minutes, i) => ({ day: String(i + 1), minutes: Math.round(minutes * 10) / 10 }));
}

import type { UsageStatus } from "./api/get-usage.ts";

/** Usage thresholds: HEALTHY < 50 %, WARNING 50–80 %, CRITICAL 80–100 %, EXCEEDED > 100 %. */
export function usageStatusFor(percentage: number): UsageStatus {
  if (percentage > 100) return "EXCEEDED";
  if (percentage >= 80) return "CRITICAL";
  if (percentage >= 50) return "WARNING";
  return "HEALTHY";
}

export const usageColours: Record<UsageStatus, string> = {
  HEALTHY: "green",
  WARNING: "yellow",
  CRITICAL: "orange",
  EXCEEDED: "red",
};

export const usageLabels: Record<UsageStatus, string> = {
  HEALTHY: "Healthy",
  WARNING: "Warning: over half of the free tier used",
  CRITICAL: "Critical: the free tier is almost used up",
  EXCEEDED: "Exceeded: video consultations are disabled",
};

/** The usage percentage as the views label it: "Free Tier: 0.03 %" (two decimals at most, as the server rounds). */
export function freeTierLabel(percentage: number): string {
  return `Free Tier: ${Math.round(percentage * 100) / 100} %`;
}

/** The reason video buttons are disabled, or null while calls are allowed. */
export function videoBlockedReason(status: UsageStatus | undefined): string | null {
  return status === "EXCEEDED" ? "Free Tier limit exceeded. Video consultations disabled." : null;
}

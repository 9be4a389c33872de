// What other workspaces' tests and benches may use from the video service (`@clinic/video-service/testing`).

// The bench seeds the video tables and explains the usage query exactly as the repository builds it.
export type { VideoDb } from "../tables.ts";
export { intervalsForMonth } from "../usage/usage.repository.ts";
export { monthBounds } from "../usage/usage-calculator.ts";
export { closedWithin, connectSignal, type SignalClient, signalUrl } from "./signal-client.ts";

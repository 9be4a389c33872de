// What other workspaces' tests and benches may use from the video service (`@clinic/video-service/testing`).

// The bench seeds the video tables (and their usage rollups, with the product's own update) and explains the
// usage query exactly as the repository builds it.
export type { VideoDb } from "../tables.ts";
export { monthBounds } from "../usage/usage-calculator.ts";
export { addClosedToRollups, sessionRollupPageQuery } from "../usage/usage-rollups.repository.ts";
export { closedWithin, connectSignal, type SignalClient, signalUrl } from "./signal-client.ts";

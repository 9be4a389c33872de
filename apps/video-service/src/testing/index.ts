// What other workspaces' tests may use from the video service (`@clinic/video-service/testing`).
export { closedWithin, connectSignal, type SignalClient, signalUrl } from "./signal-client.ts";

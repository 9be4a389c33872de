export { buildApp, type VideoAppOptions, type VideoInternals } from "./app.ts";
export { loadVideoConfig, parseIceServers, type VideoConfig, videoConfigSchema } from "./config.ts";
export { createEmbeddedMediaProvider } from "./meetings/embedded/embedded-media-provider.ts";
export type { MediaProvider } from "./meetings/media-provider.ts";
export type { VideoTables } from "./tables.ts";

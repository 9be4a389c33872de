import { getMediaCredentials } from "../api/get-media-credentials.ts";
import type { CallCredentials, CallEngine, Rejoin } from "./call-state.ts";
import { EmbeddedCall } from "./embedded-call.ts";

/** Picks the engine for the meeting's media provider; Chime's SDK is fetched only when needed. */
export async function createCallEngine(credentials: CallCredentials, rejoin: Rejoin): Promise<CallEngine> {
  if (credentials.media_provider === "chime") {
    const { ChimeCall } = await import("./chime-call.ts");
    return new ChimeCall(credentials, rejoin, getMediaCredentials);
  }
  return new EmbeddedCall(credentials, rejoin);
}

import { videoClient } from "../../../lib/api-client.ts";
import { unwrap } from "../../../lib/api-error.ts";

/** GET /api/video/connectivity: the video service's ICE servers for the pre-call check. */
export const getConnectivity = () => unwrap(videoClient.GET("/api/video/connectivity", { cache: "no-store" }));

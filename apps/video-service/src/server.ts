import { listen } from "@clinic/platform";
import { buildApp } from "./app.ts";
import { loadVideoConfig } from "./config.ts";

// Entry for `npm start -w apps/video-service`: config, build, listen, shut down gracefully.
const config = loadVideoConfig();
const app = await buildApp({ config });
await listen(app, config.PORT, config.HOST);

import { listen } from "@clinic/platform";
import { buildApp } from "./app.ts";
import { loadGatewayConfig } from "./config.ts";

const config = loadGatewayConfig();
const app = await buildApp({ config });
await listen(app, config.PORT, config.HOST);

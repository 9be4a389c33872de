import type { Scenario } from "../lib/context.ts";
import { browserScenario } from "./browser.scenario.ts";
import { clusterScenario } from "./cluster.scenario.ts";
import { cyclesScenario } from "./cycles.scenario.ts";
import { gatewayScenario } from "./gateway.scenario.ts";
import { listSessionsScenario } from "./list-sessions.scenario.ts";
import { signallingScenario } from "./signalling.scenario.ts";
import { stackScenario } from "./stack.scenario.ts";
import { usageScenario } from "./usage.scenario.ts";
import { webScenario } from "./web.scenario.ts";

/** In the order they run; `--only=<name>` picks some. */
export const scenarios: Scenario[] = [
  listSessionsScenario,
  gatewayScenario,
  cyclesScenario,
  usageScenario,
  signallingScenario,
  browserScenario,
  stackScenario,
  webScenario,
  clusterScenario,
];

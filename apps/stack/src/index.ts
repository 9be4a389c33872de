export {
  defaultPorts,
  type RunningStack,
  runStack,
  type StackOptions,
  type StackPorts,
  type StackUrls,
} from "./stack.ts";

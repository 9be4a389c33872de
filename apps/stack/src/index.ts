export { defaultPorts, type RunningStack, runStack, type StackOptions, type StackPorts } from "./stack.ts";

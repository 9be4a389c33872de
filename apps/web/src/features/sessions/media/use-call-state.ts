import { useSyncExternalStore } from "react";
import { type CallEngine, type CallState, initialCallState } from "./call-state.ts";

const noEngine = () => () => undefined;
const noState = () => initialCallState;

export function useCallState(engine: CallEngine | null): CallState {
  return useSyncExternalStore(engine?.subscribe ?? noEngine, engine?.getState ?? noState);
}

/** Messages between the bench (parent) and a server under test (child) over IPC. */
export type ChildRequest =
  | { type: "start"; params: Record<string, unknown> }
  | { type: "gc" }
  | { type: "call"; name: string; args: Record<string, unknown> }
  | { type: "stop" };

export type ChildReply =
  | { type: "ready"; port: number; info: Record<string, unknown> }
  | { type: "memory"; rss: number; heapUsed: number }
  | { type: "result"; value: unknown }
  | { type: "error"; message: string };

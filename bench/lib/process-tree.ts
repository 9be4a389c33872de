import { readdirSync, readFileSync } from "node:fs";

/** Parent pid of every live process (from /proc/<pid>/stat; Linux). */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Field 4 is the ppid; the command (field 2) may hold spaces, so split after its ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      map.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  return map;
}

/** `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const map = parents();
  const tree = [pid];
  for (let i = 0; i < tree.length && i < 1000; i++) {
    for (const [child, parent] of map) if (parent === tree[i]) tree.push(child);
  }
  return tree;
}

export function rssOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of a process and its descendants, and of the largest one (the stack itself). */
export function treeRss(pid: number): { total: number; largest: number } {
  const values = processTree(pid).map(rssOf);
  return { total: values.reduce((s, v) => s + v, 0), largest: Math.max(0, ...values) };
}

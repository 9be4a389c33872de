import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { round } from "./stats.ts";

/** CPU time so far: the machine's (all cores, /proc/stat) and each named process's (/proc/<pid>/stat). Linux. */
export interface CpuSnapshot {
  machineBusy: number;
  machineTotal: number;
  processes: Record<string, number>;
}

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // utime and stime are fields 14 and 15; the command (field 2) may hold spaces, so split after its ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return Number.NaN;
  }
}

export function cpuSnapshot(pids: Record<string, number>): CpuSnapshot {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  // cpu user nice system idle iowait irq softirq steal …
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((s, v) => s + v, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return {
    machineBusy: total - idle,
    machineTotal: total,
    processes: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processTicks(pid)])),
  };
}

/**
 * Cores each process kept busy between two snapshots (1 = one core all the time), the
 * machine's busy cores, and `other`: the rest of the machine's work (PostgreSQL, Redis, and
 * anything else running on it). Both files count in the same clock ticks, so no tick rate is needed.
 */
export function cpuCores(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const coreTicks = (after.machineTotal - before.machineTotal) / cpus().length;
  if (coreTicks <= 0) return {};
  const cores: Record<string, number> = {};
  let ours = 0;
  for (const [name, ticks] of Object.entries(after.processes)) {
    const used = (ticks - (before.processes[name] ?? Number.NaN)) / coreTicks;
    cores[name] = round(used, 2);
    if (Number.isFinite(used)) ours += used;
  }
  const machine = (after.machineBusy - before.machineBusy) / coreTicks;
  cores.other = round(Math.max(0, machine - ours), 2);
  cores.machine = round(machine, 2);
  return cores;
}

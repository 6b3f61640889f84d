import { readFileSync } from 'node:fs';

// How busy the whole machine was over a stretch of the benchmark (every process, ours
// and anyone else's), from the kernel's CPU counters in /proc/stat. On a shared 2-core
// box this says whether a latency figure measured the service or the queue for a core.

export interface CpuSnapshot {
  busy: number;
  steal: number;
  total: number;
}

export function cpuSnapshot(): CpuSnapshot {
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { busy: user + nice + system + irq + softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** Share of all CPU time between two snapshots that was busy (0..1), and stolen by the hypervisor. */
export function cpuBusySince(before: CpuSnapshot, after: CpuSnapshot = cpuSnapshot()): { busy: number; steal: number } {
  const total = after.total - before.total || 1;
  return { busy: (after.busy - before.busy) / total, steal: (after.steal - before.steal) / total };
}

import type { Plan } from '../../shared/mutation.ts';

// What `ticketctl consumers scale <count>` will do, as plain data (report 4.2.1: more
// instances on ports 3001-3003 and up). Instances are numbered 1..count; scaling in stops
// the highest-numbered ones, so the survivors keep their ports and names.

export interface ScaleInput {
  /** The count the stack records now (local: its folder; compose: the instances that exist). */
  from: number;
  to: number;
  /** Instances running now, and who runs them ("pid 123", "container 3f2a..."). */
  running: Array<{ n: number; unit: string; pid: number | null }>;
  /** Port of instance n. */
  portOf: (n: number) => number;
  /** The topic whose partition count bounds useful consumers, and that count. */
  topic: string;
  partitions: number;
  /** Instances running the emergency consumer profile or retry mode now (new ones start normal). */
  emergency: string[];
  /** Where the local platform records the count; null where the platform itself is the record (compose). */
  countFile: string | null;
  /** Where the instances run, for the plan. */
  platform: string;
  group: string;
  timeoutS: number;
}

export interface ScalePlanData {
  from: number;
  to: number;
  start: string[];
  stop: Array<{ instance: string; pid: number | null; unit: string }>;
  partitions: { topic: string; count: number };
  /** Consumers beyond the partition count of the topic: members with none of its partitions. */
  idleConsumers: number;
  countFile: string | null;
}

const name = (n: number) => `service-${n}`;

export function scalePlan(d: ScaleInput): Plan<ScalePlanData> {
  const runningN = new Set(d.running.map((r) => r.n));
  const start = Array.from({ length: d.to }, (_, i) => i + 1).filter((n) => !runningN.has(n));
  const stop = d.running.filter((r) => r.n > d.to).sort((a, b) => b.n - a.n);
  const steps: string[] = [];
  if (d.from !== d.to && d.countFile) steps.push(`record ${d.to} service instance(s) in ${d.countFile} (stack up, status, down and health follow it)`);
  for (const r of stop) steps.push(`stop ${name(r.n)} (${r.unit}) with SIGTERM: it finishes in-flight work and leaves the consumer group (up to 30 s, then SIGKILL)`);
  for (const n of start) steps.push(`start ${name(n)} on port ${d.portOf(n)} (${d.platform}) and wait until its /health answers 200`);
  if (steps.length) steps.push(`wait until ${d.group} is Stable with exactly ${d.to} member(s), ${name(1)}..${name(d.to)} (up to ${d.timeoutS} s)`);
  const idleConsumers = Math.max(0, d.to - d.partitions);
  const notes: string[] = [];
  if (idleConsumers > 0) {
    notes.push(
      `warning: ${d.to} consumers for ${d.topic}'s ${d.partitions} partitions: ${idleConsumers} instance(s) will get no ${d.topic} partition and sit idle for it (one member per partition, report 4.2.1), adding no payment throughput; they still serve HTTP. More throughput needs more partitions.`,
    );
  }
  const unstarted = start.filter((n) => n <= d.from);
  if (unstarted.length) notes.push(`${unstarted.map(name).join(', ')} should be running but is not: started as well`);
  if (start.length && d.emergency.length)
    notes.push(`${d.emergency.join(', ')} run(s) emergency settings; new instances start normal: afterwards run \`ticketctl consumers profile emergency\` and/or \`ticketctl breaker retry-mode emergency\``);
  if (stop.length) notes.push('stopping an instance moves its partitions to the others (a rebalance pauses the group for a moment)');
  return {
    title: d.from === d.to && !start.length && !stop.length ? `keep ${d.to} service instance(s)` : `scale service instances from ${d.from} to ${d.to}`,
    steps,
    data: {
      from: d.from,
      to: d.to,
      start: start.map(name),
      stop: stop.map((r) => ({ instance: name(r.n), pid: r.pid, unit: r.unit })),
      partitions: { topic: d.topic, count: d.partitions },
      idleConsumers,
      countFile: d.countFile,
    },
    notes,
    rollback: d.from !== d.to ? `ticketctl consumers scale ${d.from}` : undefined,
    destructive: stop.length > 0,
  };
}

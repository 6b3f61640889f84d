import { seconds } from '../timing.ts';
import type { DrillJournal } from './journal.ts';

// The human summary of a run: per drill, its verdict, recovery times, every check and
// invariant with a line of evidence, and the first offending rows of anything that failed.

const MARK = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', unknown: 'UNKNOWN' } as const;

export function summaryLines(j: DrillJournal): string[] {
  const t = j.times;
  const lines = [
    `${MARK[j.verdict]}  drill ${j.drill} (report ${j.report}): ${j.title}  [${seconds(j.durationMs)}, seed ${j.seed}, run ${j.runId}]`,
    `  timing: detect ${seconds(t.timeToDetectMs)}${j.timeline.detectedBy ? ` (${j.timeline.detectedBy})` : ''}${t.timeToMitigateMs === null ? '' : `, mitigate ${seconds(t.timeToMitigateMs)}`}, fault on ${seconds(t.faultDurationMs)}, recover ${seconds(t.timeToRecoverMs)}, drain ${seconds(t.timeToDrainMs)}`,
    `  load: ${j.load.planned} planned; holds ${fmt(j.load.holds)}; payments ${fmt(j.load.payments)} (${j.load.accepted} accepted)`,
  ];
  const lat = Object.entries(j.load.latency ?? {});
  if (lat.length) lines.push(`  latency: ${lat.map(([k, v]) => `${k} p50 ${v.p50Ms} ms max ${v.maxMs} ms`).join('; ')}`);
  for (const f of j.faults) lines.push(`  fault ${f.description}: ${f.confirmed ?? 'not confirmed'}; reverted: ${f.reverted ?? 'no'}`);
  for (const c of j.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} check ${c.name}: ${c.detail}`);
  for (const i of j.invariants) {
    lines.push(`  ${i.status === 'pass' ? 'ok  ' : MARK[i.status]} invariant ${i.name}: ${i.summary}`);
    for (const row of i.offending.slice(0, 5)) lines.push(`         ${JSON.stringify(row)}`);
    if (i.offending.length > 5) lines.push(`         ... ${i.offending.length - 5} more in the JSON journal`);
  }
  if (j.error) lines.push(`  harness error: ${j.error}`);
  return lines;
}

function fmt(counts: Record<string, number>): string {
  const e = Object.entries(counts);
  return e.length ? e.map(([k, v]) => `${v}x${k}`).join(' ') : 'none';
}

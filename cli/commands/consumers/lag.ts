import type { Admin } from 'kafkajs';
import { UsageError, delay } from '../../../lib/index.ts';
import { CONSUMER_GROUP, isOperationalGroup } from '../../../contracts/index.ts';
import { withAdmin } from '../../../clients/index.ts';
import { ExitError } from '../../shared/exit-code.ts';
import { resolveOutput } from '../../shared/ui.ts';
import { describeGroup, groupTopics, sampleOffsets, type GroupDescription, type PartitionKey } from './group-offsets.ts';
import { judgeGroup, type GroupLag } from './group-verdict.ts';
import { printLagReport, type LagReport } from './lag-table.ts';

export type { LagReport };
import { worstVerdict, type OffsetSample } from './verdict.ts';
import type { Globals } from '../../shared/globals.ts';

// Runbook 4.2.1 / report 2.2.1, "is the consumer keeping up?": lag per group, topic and
// partition, sampled several times over a window and judged by Burrow's rules
// (verdict.ts). Exit 1 when any verdict is not OK, naming what to run next.

export interface LagFlags {
  group?: string;
  allGroups?: boolean;
  topic?: string[];
  window: number;
  samples: number;
  output?: string;
}

export type { GroupLag, PartitionLag } from './group-verdict.ts';

export async function run(g: Globals, opts: LagFlags): Promise<void> {
  if (opts.group && opts.allGroups) throw new UsageError('--group and --all-groups exclude each other.', 'Pass one group with --group <id>, or every group with --all-groups.');
  const samples = opts.window === 0 ? 1 : opts.samples;
  const c = await g.context();
  const report = await withAdmin(c, (admin) => measure(g, admin, opts, samples));
  const r: LagReport = { context: c.name, window: { seconds: opts.window, samples }, verdict: worstVerdict(report.map((x) => x.verdict)), groups: report };
  if (resolveOutput(opts.output, g.ui.isTty) === 'json') g.ui.json(r);
  else printLagReport(g.ui, r);
  if (r.verdict !== 'OK') throw new ExitError(1, nextSteps(r));
}

async function measure(g: Globals, admin: Admin, opts: LagFlags, samples: number): Promise<GroupLag[]> {
  // Status views read from a window back and never commit by design, and throwaway readers commit nothing: their "lag" is no backlog.
  const groups = opts.allGroups
    ? (await admin.listGroups()).groups
        .map((x) => x.groupId)
        .filter((id) => !isOperationalGroup(id))
        .sort()
    : [opts.group ?? CONSUMER_GROUP];
  if (opts.topic) {
    const known = await admin.listTopics();
    const unknown = opts.topic.filter((t) => !known.includes(t));
    if (unknown.length)
      throw new UsageError(
        `No such topic: ${unknown.join(', ')}.`,
        `Topics: ${known
          .filter((t) => !t.startsWith('__'))
          .sort()
          .join(', ')}.`,
      );
  }
  const topics = new Map<string, string[]>();
  const history = new Map<string, Map<PartitionKey, OffsetSample[]>>(groups.map((x) => [x, new Map()]));
  const last = new Map<string, GroupDescription>();
  const intervalMs = samples > 1 ? (opts.window * 1000) / (samples - 1) : 0;
  const what = groups.length === 1 ? groups[0] : `${groups.length} groups`;
  await g.ui.progress.step(samples > 1 ? `sample ${what} ${samples} times over ${opts.window} s` : `sample ${what} once`, async () => {
    const t0 = Date.now();
    for (let i = 0; i < samples; i++) {
      // On a schedule from the start, so slow answers do not stretch the window.
      if (i > 0) await delay(Math.max(0, t0 + i * intervalMs - Date.now()), g.signal);
      for (const group of groups) {
        const d = await describeGroup(admin, group);
        last.set(group, d);
        if (!topics.has(group)) topics.set(group, opts.topic ?? (await groupTopics(admin, d)));
        for (const [key, s] of await sampleOffsets(admin, group, topics.get(group)!)) {
          const h = history.get(group)!;
          h.set(key, [...(h.get(key) ?? []), s]);
        }
      }
    }
  });
  return groups.map((group) => judgeGroup(last.get(group)!, topics.get(group)!, history.get(group)!));
}

function nextSteps(r: LagReport): string {
  const bad = r.groups.filter((x) => x.verdict !== 'OK');
  const lines = [`Consumer lag verdict ${r.verdict}: ${bad.map((x) => `${x.group} ${x.verdict}`).join(', ')}.`];
  const verdicts = new Set(bad.flatMap((x) => [x.verdict, ...x.partitions.map((p) => p.verdict)]));
  const service = bad.some((x) => x.group === CONSUMER_GROUP);
  if (verdicts.has('STOP'))
    lines.push(
      service
        ? 'Next (STOP): nothing consumes. Check the instances with `ticketctl breaker status` and `ticketctl health`; start what is down with `ticketctl stack up`, or add instances with `ticketctl consumers scale <count> --dry-run`.'
        : 'Next (STOP): nothing consumes for this group. Start its consumers; check the group id (`ticketctl consumers lag --all-groups`).',
    );
  if (verdicts.has('STALL'))
    lines.push(
      'Next (STALL): members are connected but not committing. Read their logs (`ticketctl stack logs service-<n>`), check dependencies with `ticketctl health` and the breaker with `ticketctl breaker status`.',
    );
  if (verdicts.has('WARN'))
    lines.push(
      `Next (WARN): consumers are too slow. Add instances (\`ticketctl consumers scale <count> --dry-run\`, report 4.2.1) and/or switch to the emergency settings (\`ticketctl consumers profile emergency --dry-run\`, report 4.2.2).`,
    );
  if (verdicts.has('REWIND')) lines.push('Next (REWIND): someone reset the offsets or a consumer commits stale ones; find who with `ticketctl consumers lag -o json` (members) and the audit log.');
  return lines.join('\n');
}

import type { Ui } from '../../shared/ui.ts';
import type { GroupLag } from './group-verdict.ts';
import type { Verdict } from './verdict.ts';

// The terminal view of `ticketctl consumers lag`: per group a headline, its members and
// the partitions with their verdicts.

/** What `consumers lag` found; its keys are the documented JSON. */
export interface LagReport {
  context: string;
  window: { seconds: number; samples: number };
  verdict: Verdict;
  groups: GroupLag[];
}

export function printLagReport(ui: Ui, r: LagReport): void {
  const c = ui.color;
  const paint = (v: Verdict) => (v === 'OK' ? c.green(v) : v === 'WARN' ? c.yellow(v) : c.red(v));
  const how = r.window.samples > 1 ? `${r.window.samples} samples over ${r.window.seconds} s` : 'one sample';
  r.groups.forEach((grp, i) => {
    if (i > 0) ui.out();
    ui.out(`Group ${c.bold(grp.group)}: ${paint(grp.verdict)} (${grp.state}, ${grp.members.length} member(s), total lag ${grp.totalLag}; ${how})`);
    if (grp.reason) ui.out(`  ${grp.reason}`);
    if (grp.members.length) {
      ui.table(
        ['MEMBER', 'HOST', 'PARTITIONS'],
        grp.members.map((m) => [m.clientId, m.host, m.partitions.join(' ') || c.dim('none (idle)')]),
      );
    }
    if (grp.partitions.length) {
      ui.table(
        ['TOPIC', 'PARTITION', 'COMMITTED', 'LOG END', 'LAG', 'OWNER', 'VERDICT', 'WHY'],
        grp.partitions.map((p) => [
          p.topic,
          String(p.partition),
          p.committed === null ? c.dim('none') : String(p.committed),
          String(p.logEnd),
          String(p.lag),
          p.owner ?? c.dim('none'),
          paint(p.verdict),
          p.reason,
        ]),
      );
    }
  });
}

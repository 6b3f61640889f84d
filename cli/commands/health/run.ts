import { ExitError } from '../../shared/exit-code.ts';
import { resolveOutput, type Ui } from '../../shared/ui.ts';
import type { ComponentHealth, HealthStatus } from './check.ts';
import { gatewayCheck, serviceChecks, toxiproxyCheck } from './http.ts';
import { brokerChecks, quorumCheck, topicsCheck } from './kafka.ts';
import { mariadbCheck } from './mariadb.ts';
import { redisChecks, sentinelChecks } from './redis.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl health`: every component of the selected context, each with a real request,
// all at once. Exit 1 when any is DOWN; WARN (degraded but serving) keeps exit 0.

export interface HealthReport {
  context: string;
  healthy: boolean;
  checkedAt: string;
  durationMs: number;
  summary: Record<'up' | 'warn' | 'down' | 'skip', number>;
  components: ComponentHealth[];
}

export async function checkHealth(g: Pick<Globals, 'context' | 'env'>): Promise<HealthReport> {
  const c = await g.context();
  const t0 = Date.now();
  // The quorum check starts a JVM (seconds); it runs beside the others. The rest run one
  // after another so that LATENCY is each component's own answer time, not time spent
  // queueing behind a dozen parallel connection set-ups on a small machine.
  const quorum = quorumCheck(c, g.env);
  const rows: ComponentHealth[] = [];
  const sequence: Array<() => Promise<ComponentHealth | ComponentHealth[]>> = [
    () => brokerChecks(c),
    () => topicsCheck(c),
    ...redisChecks(c),
    () => sentinelChecks(c),
    () => mariadbCheck(c),
    () => toxiproxyCheck(c),
    () => gatewayCheck(c),
    ...serviceChecks(c),
  ];
  for (const check of sequence) rows.push(...[await check()].flat());
  rows.splice(rows.filter((r) => r.group === 'kafka' && r.component !== 'kafka-topics').length, 0, await quorum);
  const count = (s: HealthStatus) => rows.filter((r) => r.status === s).length;
  const summary = { up: count('UP'), warn: count('WARN'), down: count('DOWN'), skip: count('SKIP') };
  return { context: c.name, healthy: summary.down === 0, checkedAt: new Date(t0).toISOString(), durationMs: Date.now() - t0, summary, components: rows };
}

export async function run(g: Globals, opts: { output?: string }): Promise<void> {
  const report = await checkHealth(g);
  if (resolveOutput(opts.output, g.ui.isTty) === 'json') g.ui.json(report);
  else printHealth(g.ui, report, (await g.context()).stack !== null);
  if (!report.healthy) throw new ExitError(1);
}

export function printHealth(ui: Ui, r: HealthReport, localStack: boolean): void {
  const c = ui.color;
  const paint = (s: HealthStatus) => (s === 'UP' ? c.green(s) : s === 'DOWN' ? c.red(s) : s === 'WARN' ? c.yellow(s) : c.dim(s));
  ui.table(
    ['COMPONENT', 'STATUS', 'LATENCY', 'DETAIL'],
    r.components.map((x) => [x.component, paint(x.status), x.latencyMs === null ? '-' : `${x.latencyMs} ms`, x.detail]),
  );
  ui.out();
  const { up, warn, down } = r.summary;
  const line = `Context ${r.context}: ${up} up, ${warn} warning(s), ${down} down (${(r.durationMs / 1000).toFixed(1)} s).`;
  if (down) {
    const names = r.components.filter((x) => x.status === 'DOWN').map((x) => x.component);
    ui.out(c.red(`${line} Not healthy: ${names.join(', ')}.`));
    ui.out(
      localStack
        ? 'Next: read the DETAIL column, then `ticketctl stack status` and `ticketctl stack logs <component>`; `ticketctl stack up` starts what is down.'
        : `Next: read the DETAIL column; ${names[0]} first.`,
    );
  } else ui.out(warn ? c.yellow(`${line} Serving, with warnings.`) : c.green(`${line} Healthy.`));
}

import { serviceAdmin, type AdminState, type InstanceRead } from '../../../clients/index.ts';
import { ExitError } from '../../shared/exit-code.ts';
import { resolveOutput } from '../../shared/ui.ts';
import type { Globals } from '../../shared/globals.ts';

// Report 2.2.2 and 5: each instance's gateway circuit breaker, retry mode and consumer
// profile (GET /admin/state). An instance that does not answer is a row saying so, exit 1.

export interface BreakerRow {
  instance: string;
  url: string;
  reachable: boolean;
  error: string | null;
  breaker: AdminState['breaker'] | null;
  retryMode: 'emergency' | 'normal' | null;
  maxRetries: number | null;
  consumerProfile: 'emergency' | 'normal' | null;
}

export interface BreakerReport {
  context: string;
  instances: BreakerRow[];
  summary: { instances: number; unreachable: number; open: number; halfOpen: number; emergencyRetry: number; emergencyProfile: number };
}

export function breakerReport(context: string, reads: InstanceRead[]): BreakerReport {
  const instances = reads.map((r): BreakerRow => ({
    instance: r.name,
    url: r.url,
    reachable: r.state !== null,
    error: r.error,
    breaker: r.state?.breaker ?? null,
    retryMode: r.state ? (r.state.retry.emergency ? 'emergency' : 'normal') : null,
    maxRetries: r.state?.retry.maxRetries ?? null,
    consumerProfile: r.state?.consumer.profile ?? null,
  }));
  const count = (f: (x: BreakerRow) => boolean) => instances.filter(f).length;
  return {
    context,
    instances,
    summary: {
      instances: instances.length,
      unreachable: count((x) => !x.reachable),
      open: count((x) => x.breaker?.state === 'OPEN'),
      halfOpen: count((x) => x.breaker?.state === 'HALF_OPEN'),
      emergencyRetry: count((x) => x.retryMode === 'emergency'),
      emergencyProfile: count((x) => x.consumerProfile === 'emergency'),
    },
  };
}

export async function run(g: Globals, opts: { output?: string }): Promise<void> {
  const c = await g.context();
  const r = breakerReport(c.name, await serviceAdmin(c).readAll());
  const { ui } = g;
  const col = ui.color;
  if (resolveOutput(opts.output, ui.isTty) === 'json') ui.json(r);
  else {
    ui.table(
      ['INSTANCE', 'URL', 'BREAKER', 'FAILURES', 'RETRY MODE', 'CONSUMER PROFILE', 'DETAIL'],
      r.instances.map((x) => {
        if (!x.breaker) return [x.instance, x.url, col.red('UNREACHABLE'), '-', '-', '-', x.error ?? ''];
        const b = x.breaker;
        const state = b.state === 'CLOSED' ? col.green(b.state) : b.state === 'OPEN' ? col.red(b.state) : col.yellow(b.state);
        const detail = [b.forced ? 'forced open by an operator' : '', b.retryAfterMs !== null && !b.forced ? `probe in ${(b.retryAfterMs / 1000).toFixed(1)} s` : ''].filter(Boolean).join('; ');
        const emergency = (v: string | null) => (v === 'emergency' ? col.yellow(v) : (v ?? '-'));
        return [x.instance, x.url, state, `${b.failures}/${b.calls} (${Math.round(b.failureRate * 100)} %)`, `${emergency(x.retryMode)} (max ${x.maxRetries})`, emergency(x.consumerProfile), detail];
      }),
    );
  }
  const s = r.summary;
  if (s.open || s.halfOpen)
    ui.err(`${s.open + s.halfOpen} breaker(s) not CLOSED: calls to the payment gateway are refused there. Check the gateway (\`ticketctl health\`); once it is healthy, \`ticketctl breaker reset --dry-run\`.`);
  if (s.unreachable)
    throw new ExitError(1, `${s.unreachable} of ${s.instances} instance(s) did not answer. Next: \`ticketctl health\`; on the local stack \`ticketctl stack status\` and \`ticketctl stack up\`.`);
}

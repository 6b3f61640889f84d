import { ExitError } from '../../shared/exit-code.ts';
import { choosePlatform } from './platform-choice.ts';
import { resolveOutput, type Ui } from '../../shared/ui.ts';
import { createPlatform, stackStatus, type StackStatus } from '../../../stack/index.ts';
import type { Globals } from '../../shared/globals.ts';

export async function run(g: Globals, opts: { output?: string; platform?: string }): Promise<void> {
  const { ui } = g;
  const { stack, spec } = await choosePlatform(g, opts.platform, '`stack status`');
  // Local: the supervisor's PID records (stackStatus reads them); compose: the containers.
  const units = spec.kind === 'local' ? undefined : await (await createPlatform(stack, spec)).status();
  const status = await stackStatus(stack, units);
  if (resolveOutput(opts.output, ui.isTty) === 'json') ui.json(status);
  else printStatus(ui, status);
  if (!status.healthy) throw new ExitError(1);
}

export function printStatus(ui: Ui, s: StackStatus): void {
  const c = ui.color;
  const paint = (state: string) => (state === 'up' ? c.green(state) : state === 'down' ? c.red(state) : c.yellow(state));
  const yesNo = (v: boolean | null) => (v === null ? '-' : v ? c.green('yes') : c.red('no'));
  ui.table(
    ['COMPONENT', 'STATE', 'RUN BY', 'ENDPOINT', 'VIA PROXY', 'RSS', 'DETAIL'],
    s.components.map((x) => [x.name, paint(x.state), x.unit, x.endpoint, yesNo(x.viaProxy), x.rssBytes ? `${Math.round(x.rssBytes / 2 ** 20)} MiB` : '-', x.detail]),
  );
  ui.out();
  const k = s.kafka;
  const topicIssues = k.topics.filter((t) => t.underReplicated || t.offline).map((t) => `${t.name}: ${t.underReplicated} under-replicated, ${t.offline} offline`);
  ui.out(
    `Kafka: ${k.brokersLive}/${k.brokersExpected} brokers live, ${k.topics.length} topics` +
      (k.missingTopics.length ? c.red(`, missing ${k.missingTopics.join(', ')}`) : '') +
      (topicIssues.length ? c.yellow(`; ${topicIssues.join('; ')}`) : '') +
      (k.error ? c.red(` (${k.error})`) : ''),
  );
  const faulted = s.proxies.filter((p) => !p.enabled || p.toxics.length);
  ui.out(
    `Proxies: ${s.proxies.length}${faulted.length ? c.yellow(`; faulted: ${faulted.map((p) => `${p.name}${p.enabled ? '' : ' (disabled)'}${p.toxics.length ? ` [${p.toxics.join(',')}]` : ''}`).join(', ')}`) : ', none faulted'}`,
  );
  ui.out(`Memory: ${(s.memory.rssBytes / 2 ** 30).toFixed(2)} GiB resident. Stack folder: ${s.stackDir}`);
  ui.out(s.healthy ? c.green('Healthy.') : c.red(`Not healthy. Start what is down with \`ticketctl stack up\`; read a log with \`ticketctl stack logs <component>\`.`));
}

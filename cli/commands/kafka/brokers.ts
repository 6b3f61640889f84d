import { errorMessage } from '../../../lib/index.ts';
import { brokerApiVersions, describeClusterVia } from '../../../stack/index.ts';
import { bootstrapOf, kafkaToolsFor, toolFailure } from '../../../clients/index.ts';
import { ExitError } from '../../shared/exit-code.ts';
import { resolveOutput } from '../../shared/ui.ts';
import { parseBrokerApiVersions, summarizeApis, type ApiRange } from './api-versions.ts';
import type { Globals } from '../../shared/globals.ts';

// Runbook 4.1.1, step 1 (`kafka-broker-api-versions`): is each broker reachable where
// clients reach it, and what does it speak. Reachability is one metadata request to that
// broker alone; API versions come from Kafka's own BrokerApiVersionsCommand.

export interface BrokerRow {
  id: number | null;
  endpoint: string;
  reachable: boolean;
  latencyMs: number;
  error: string | null;
  apiVersions: { summary: string; apis: Record<string, ApiRange | null> } | null;
}

export interface BrokersReport {
  context: string;
  /** Broker ids the cluster lists as live (registered, unfenced). */
  liveBrokers: number[];
  brokers: BrokerRow[];
  apiVersionsError: string | null;
}

export async function listBrokers(g: Pick<Globals, 'context' | 'env'>): Promise<BrokersReport> {
  const c = await g.context();
  const versions = brokerApiVersions(kafkaToolsFor(c, g.env), bootstrapOf(c)).then(parseBrokerApiVersions, (err: unknown) => `BrokerApiVersionsCommand failed: ${toolFailure(err)}`);
  const live = new Set<number>();
  const rows = await Promise.all(
    c.kafka.brokers.map(async (b): Promise<BrokerRow> => {
      const t0 = performance.now();
      try {
        const view = await describeClusterVia(b.address);
        view.brokers.forEach((x) => live.add(x.nodeId));
        const self = view.brokers.find((x) => `${x.host}:${x.port}` === b.address);
        const id = self?.nodeId ?? b.id;
        const registered = self !== undefined;
        return {
          id,
          endpoint: b.address,
          reachable: registered,
          latencyMs: Math.round(performance.now() - t0),
          error: registered ? null : 'answers, but is not registered in the cluster (fenced or starting)',
          apiVersions: null,
        };
      } catch (err) {
        return { id: b.id, endpoint: b.address, reachable: false, latencyMs: Math.round(performance.now() - t0), error: errorMessage(err).split('\n')[0]!, apiVersions: null };
      }
    }),
  );
  const parsed = await versions;
  for (const row of rows) {
    const found = typeof parsed === 'string' ? undefined : parsed.find((v) => v.id === row.id || v.address === row.endpoint);
    if (found) row.apiVersions = { summary: summarizeApis(found.apis), apis: found.apis };
  }
  return { context: c.name, liveBrokers: [...live].sort(), brokers: rows, apiVersionsError: typeof parsed === 'string' ? parsed : null };
}

export async function run(g: Globals, opts: { output?: string }): Promise<void> {
  const report = await listBrokers(g);
  const { ui } = g;
  const c = ui.color;
  if (resolveOutput(opts.output, ui.isTty) === 'json') ui.json(report);
  else {
    ui.table(
      ['ID', 'ENDPOINT', 'REACHABLE', 'LATENCY', 'API VERSIONS'],
      report.brokers.map((b) => [
        b.id === null ? '?' : String(b.id),
        b.endpoint,
        b.reachable ? c.green('yes') : c.red('no'),
        `${b.latencyMs} ms`,
        b.reachable ? (b.apiVersions?.summary ?? '-') : (b.error ?? '-'),
      ]),
    );
    ui.out();
    ui.out(`Live brokers (cluster metadata): ${report.liveBrokers.join(', ') || 'none'}.`);
    if (report.apiVersionsError) ui.out(c.yellow(`API versions unavailable: ${report.apiVersionsError}`));
  }
  const down = report.brokers.filter((b) => !b.reachable);
  if (down.length) {
    const local = (await g.context()).stack !== null;
    throw new ExitError(
      1,
      `Unreachable: ${down.map((b) => (b.id === null ? b.endpoint : `broker ${b.id}`)).join(', ')}. Next: ${local ? `\`ticketctl stack logs kafka-${down[0]!.id ?? '<id>'}\`, then \`ticketctl kafka restart-broker ${down[0]!.id ?? '<id>'} --dry-run\`` : "check that broker's host"}; \`ticketctl health\` shows the rest.`,
    );
  }
}

import { OpsError } from '../../../lib/index.ts';
import { brokerApiVersions } from '../../../stack/index.ts';
import { bootstrapOf, kafkaToolsFor, surveyBrokers, toolFailure } from '../../../clients/index.ts';
import type { Context } from '../../../clients/index.ts';
import { ExitError } from '../../shared/exit-code.ts';
import { resolveOutput } from '../../shared/ui.ts';
import { parseBrokerApiVersions, summarizeApis, type ApiRange } from './api-versions.ts';
import type { Globals } from '../../shared/globals.ts';

// Runbook 4.1.1, step 1 (`kafka-broker-api-versions`): is each broker reachable where
// clients reach it, and what does it speak. Reachability is one metadata request to that
// broker alone (clients/kafka-survey.ts: behind a bootstrap alias, each broker the
// metadata lists, at its advertised address); API versions come from Kafka's own
// BrokerApiVersionsCommand, reported as not checked where Java or the jars are missing.

export interface BrokerRow {
  id: number | null;
  /** null for a broker known only as a replica id (not live, so not advertised). */
  endpoint: string | null;
  reachable: boolean;
  latencyMs: number | null;
  error: string | null;
  /** A context address that no broker advertises: a load balancer or service address the brokers were reached through. */
  alias: boolean;
  /** `context`: listed in the context; `metadata`: learned from the cluster's metadata (behind an alias). */
  learnedFrom: 'context' | 'metadata';
  /** For an alias: the live broker ids its metadata listed. */
  lists: number[] | null;
  apiVersions: { summary: string; apis: Record<string, ApiRange | null> } | null;
}

export interface BrokersReport {
  context: string;
  /** Broker ids the cluster lists as live (registered, unfenced). */
  liveBrokers: number[];
  brokers: BrokerRow[];
  /** Why API versions are missing: the tool failed, or Java or Kafka's jars are not here (then with the fix). */
  apiVersionsError: string | null;
}

async function apiVersions(c: Context, env: NodeJS.ProcessEnv): Promise<ReturnType<typeof parseBrokerApiVersions> | string> {
  try {
    return parseBrokerApiVersions(await brokerApiVersions(kafkaToolsFor(c, env), bootstrapOf(c)));
  } catch (err) {
    if (err instanceof OpsError && err.code === 'MISSING_TOOL') return `not checked: ${err.message} ${err.hint ?? ''}`.trim();
    return `BrokerApiVersionsCommand failed: ${toolFailure(err)}`;
  }
}

export async function listBrokers(g: Pick<Globals, 'context' | 'env'>): Promise<BrokersReport> {
  const c = await g.context();
  const versions = apiVersions(c, g.env);
  const survey = await surveyBrokers(c);
  const parsed = await versions;
  const rows: BrokerRow[] = survey.rows.map((r) => {
    const found = typeof parsed === 'string' || r.alias ? undefined : parsed.find((v) => v.id === r.id || v.address === r.endpoint);
    return {
      id: r.id,
      endpoint: r.endpoint,
      reachable: r.reachable,
      latencyMs: r.latencyMs,
      error: r.error,
      alias: r.alias,
      learnedFrom: r.learnedFrom,
      lists: r.lists,
      apiVersions: found ? { summary: summarizeApis(found.apis), apis: found.apis } : null,
    };
  });
  return { context: c.name, liveBrokers: survey.live, brokers: rows, apiVersionsError: typeof parsed === 'string' ? parsed : null };
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
        b.alias ? 'alias' : b.id === null ? '?' : String(b.id),
        b.endpoint ?? '-',
        b.reachable ? c.green('yes') : c.red('no'),
        b.latencyMs === null ? '-' : `${b.latencyMs} ms`,
        b.alias ? `bootstrap alias; lists ${b.lists?.join(',') || 'no broker'}` : b.reachable ? (b.apiVersions?.summary ?? '-') : (b.error ?? '-'),
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

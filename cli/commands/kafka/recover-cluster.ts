import { OpsError } from '../../../lib/index.ts';
import { ALL_TOPICS, TOPIC_LAYOUT } from '../../../contracts/index.ts';
import { assertBrokerIdentity, ensureTopics, pidOf } from '../../../stack/index.ts';
import { contextKafka, withAdmin, bootstrapOf, kafkaToolsFor, platformOf } from '../../../clients/index.ts';
import { runMutation, type MutationFlags } from '../../shared/mutation.ts';
import { backupFileFor, folderBytes } from './recover-cluster-backup.ts';
import { recoverPlan, type RecoverPlanData } from './recover-cluster-plan.ts';
import { electDisplaced, healthStatus, layoutProblems, waitForBrokers, waitForFullIsr, waitForQuorum, waitForServices, type Deadline } from './recover-cluster-waits.ts';
import type { Globals } from '../../shared/globals.ts';

// Runbook 4.1.2, whole cluster down, on the context's platform (stack/platforms): every
// broker stopped cleanly (a broker already dead is only started), an optional archive of
// their data (folders, or compose volumes), all started again, then checked until the
// cluster is whole: quorum, brokers, saga topics (recreated when missing), full ISRs,
// preferred leaders, and the service instances healthy.

export interface RecoverFlags extends MutationFlags {
  backup?: boolean;
  timeout: number;
}

export interface RecoverOutcome {
  stopped: Array<{ component: string; outcome: 'stopped' }>;
  backup: { file: string; bytes: number } | null;
  started: Array<{ component: string; pid: number | null; unit: string | null }>;
  quorum: { leaderId: number; leaderEpoch: number; voters: number[] };
  liveBrokers: number[];
  createdTopics: string[];
  isrFullAfterMs: number;
  elected: string[];
  servicesHealthy: string[];
  durationMs: number;
}

/** How long planning waits for a cluster that may be down before saying "unknown". */
const PLAN_PROBE_MS = 8000;

export async function run(g: Globals, opts: RecoverFlags): Promise<void> {
  const c = await g.context();
  const { stack, platform } = await platformOf(c, '`kafka recover-cluster`');
  const names = stack.topology.kafka.brokers.map((b) => `kafka-${b.id}`);
  const units = await platform.status(names);
  // Each running broker must be the one its name says before any is stopped.
  for (const u of units) if (u.state === 'running' || u.state === 'paused') await assertBrokerIdentity(platform, u.name, u.label);
  const brokers = stack.topology.kafka.brokers.map((b, i) => {
    const component = names[i]!;
    const running = units[i]!.state === 'running' || units[i]!.state === 'paused';
    const unit = running ? units[i]!.label : null;
    const pid = running ? pidOf(units[i]) : null;
    if (platform.kind !== 'local') return { id: b.id, component, pid, unit, dataDir: `the data volume of ${component}`, dataBytes: null };
    const dataDir = stack.paths.dataDir(component);
    return { id: b.id, component, pid, unit, dataDir, dataBytes: opts.backup ? folderBytes(dataDir) : 0 };
  });
  const [missingNow, answering] = await Promise.all([missingTopicsNow(g), Promise.all(c.serviceUrls.map(async (url) => ({ url, answering: (await healthStatus(url)) !== undefined })))]);
  const data: RecoverPlanData = {
    stackDir: stack.paths.root,
    platform: platform.where,
    platformKind: platform.kind,
    brokers,
    backupFile: opts.backup ? backupFileFor(stack.paths.root) : null,
    topics: { expected: [...ALL_TOPICS], layout: { ...TOPIC_LAYOUT }, missingNow },
    services: answering,
    timeoutS: opts.timeout,
  };
  const plan = recoverPlan(data, platform.timeouts(names[0]!).stopMs, platform.timeouts(names[0]!).startMs);

  await runMutation(
    g,
    c,
    opts,
    plan,
    async (): Promise<RecoverOutcome> => {
      const t0 = Date.now();
      const { progress } = g.ui;
      let backup: RecoverOutcome['backup'] = null;
      let createdTopics: string[];
      let stopped: RecoverOutcome['stopped'];
      try {
        const running = brokers.filter((b) => b.unit !== null).map((b) => b.component);
        if (running.length) await platform.stop(running, { progress });
        stopped = running.map((component) => ({ component, outcome: 'stopped' as const }));
        if (data.backupFile) {
          const file = data.backupFile;
          const bytes = await progress.step(`archive the brokers' data to ${file}`, () => platform.backupBrokerData(names, file));
          backup = { file, bytes };
        }
        createdTopics = (await platform.start(names, { progress, signal: g.signal })).createdTopics;
      } catch (err) {
        const now = await platform.status(names).catch(() => []);
        const down = now.filter((u) => u.state !== 'running').map((u) => u.name);
        if (down.length) g.ui.err(`Not running now: ${down.join(', ')}. Start them with \`ticketctl stack up --only ${down.join(' ')}\` (logs: \`ticketctl stack logs <name>\`).`);
        throw err;
      }
      const after = await platform.status(names);
      const started = after.map((u) => ({ component: u.name, pid: u.state === 'running' ? pidOf(u) : null, unit: u.state === 'running' ? u.label : null }));
      const deadline: Deadline = { at: Date.now() + opts.timeout * 1000, signal: g.signal };
      const tools = kafkaToolsFor(c, g.env);
      const bootstrap = bootstrapOf(c);

      const q = await progress.step(
        'wait for the KRaft controller quorum',
        () => waitForQuorum(deadline, tools, bootstrap, brokers.length),
        (x) => `leader ${x.leaderId}, epoch ${x.leaderEpoch}, voters ${x.voters.join(',')}`,
      );
      const admin = contextKafka(c, { clientId: 'ticketctl-recover' }).admin();
      try {
        await admin.connect();
        const liveBrokers = await progress.step('wait for every broker to register', () =>
          waitForBrokers(
            deadline,
            admin,
            brokers.map((b) => b.id),
          ),
        );
        const ensured = await progress.step(
          'recreate missing saga topics',
          () => ensureTopics(stack.topology),
          (r) => (r.created.length ? `created ${r.created.join(', ')}` : 'all present'),
        );
        createdTopics = [...new Set([...createdTopics, ...ensured.created])];
        const problems = await layoutProblems(admin, ALL_TOPICS, TOPIC_LAYOUT);
        if (problems.length) {
          throw new OpsError(`The cluster is back, but saga topic(s) do not have the layout the service relies on: ${problems.join('; ')}.`, {
            code: 'TOPIC_LAYOUT',
            hint: `See \`ticketctl kafka describe ${problems[0]!.split(':')[0]}\`. An existing topic is never altered or deleted by this command: fix it by hand (kafka-configs / kafka-topics), then run \`ticketctl health\`.`,
          });
        }
        const partitions = await progress.step(
          'wait until every ISR is full',
          () => waitForFullIsr(deadline, admin),
          (ps) => `${ps.length} partitions`,
        );
        const isrFullAfterMs = Date.now() - t0;
        const elected = await progress.step(
          'preferred leader election',
          () => electDisplaced(deadline, admin, tools, bootstrap, partitions),
          (e) => (e.length ? `${e.length} partition(s) moved` : 'all on their preferred leader'),
        );
        const urls = data.services.filter((s) => s.answering).map((s) => s.url);
        if (urls.length) await progress.step("wait for the service instances' /health", () => waitForServices(deadline, urls));
        return {
          stopped,
          backup,
          started,
          quorum: { leaderId: q.leaderId, leaderEpoch: q.leaderEpoch, voters: q.voters },
          liveBrokers,
          createdTopics,
          isrFullAfterMs,
          elected,
          servicesHealthy: urls,
          durationMs: Date.now() - t0,
        };
      } finally {
        await admin.disconnect().catch(() => {});
      }
    },
    (r) => [
      `Stopped: ${r.stopped.map((s) => `${s.component} (${s.outcome})`).join(', ') || 'none was running'}; started: ${r.started.map((s) => `${s.component} (${s.unit ?? '?'})`).join(', ')}.`,
      ...(r.backup ? [`Backup: ${r.backup.file} (${(r.backup.bytes / 1024 / 1024).toFixed(1)} MB).`] : []),
      `Quorum leader ${r.quorum.leaderId} (epoch ${r.quorum.leaderEpoch}); brokers ${r.liveBrokers.join(', ')} live; every ISR full after ${(r.isrFullAfterMs / 1000).toFixed(1)} s.`,
      r.createdTopics.length
        ? `Recreated topic(s): ${r.createdTopics.join(', ')} (${TOPIC_LAYOUT.partitions} partitions, RF ${TOPIC_LAYOUT.replicationFactor}, min ISR ${TOPIC_LAYOUT.minInsyncReplicas}).`
        : 'No topic was missing.',
      r.elected.length ? `Preferred leaders restored on ${r.elected.length} partition(s).` : 'Every partition was already on its preferred leader.',
      r.servicesHealthy.length ? `Healthy again: ${r.servicesHealthy.join(', ')}.` : 'No service instance was running to wait for.',
      'Next: `ticketctl health` to see the whole stack.',
    ],
  );
}

/** Saga topics missing now, or null when the cluster does not answer quickly (it may be down). */
async function missingTopicsNow(g: Globals): Promise<string[] | null> {
  const c = await g.context();
  const probe = withAdmin(
    c,
    async (admin) => {
      const present = new Set(await admin.listTopics());
      return ALL_TOPICS.filter((t) => !present.has(t));
    },
    { quick: true },
  ).catch(() => null);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), PLAN_PROBE_MS)));
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

import { OpsError, errorMessage, WaitTimeoutError, waitFor } from '../../../lib/index.ts';
import { CONSUMER_GROUP, TOPICS, MAX_SERVICE_INSTANCES } from '../../../contracts/index.ts';
import { pidOf, serviceInstancesFile } from '../../../stack/index.ts';
import { withAdmin, serviceAdmin, platformOf } from '../../../clients/index.ts';
import type { Context } from '../../../clients/index.ts';
import { runMutation, type MutationFlags } from '../../shared/mutation.ts';
import { describeGroup } from './group-offsets.ts';
import { scalePlan } from './scale-plan.ts';
import type { Globals } from '../../shared/globals.ts';

// Runbook 4.2.1 (`docker-compose up -d --scale ticketing-app=3`) on the context's platform
// (stack/platforms): start or stop service instances (local processes, recording the count
// in the stack folder so every other command agrees; or the compose deployment's service-N
// services), and wait until the consumer group has exactly the instances we asked for.

export interface ScaleFlags extends MutationFlags {
  timeout: number;
}

export async function run(g: Globals, to: number, opts: ScaleFlags): Promise<void> {
  const c = await g.context();
  const { stack, platform } = await platformOf(c, '`consumers scale`');
  const t = stack.topology;
  const instances = Array.from({ length: MAX_SERVICE_INSTANCES }, (_, i) => `service-${i + 1}`);
  const units = await platform.status(instances);
  const running = units.flatMap((u, i) => (u.state === 'running' || u.state === 'paused' ? [{ n: i + 1, unit: u.label, pid: pidOf(u) }] : []));
  const from = platform.kind === 'local' ? (await platform.names()).filter((n) => n.startsWith('service-')).length : running.length;
  const partitions = await withAdmin(c, async (admin) => (await admin.fetchTopicMetadata({ topics: [TOPICS.paymentTry] })).topics[0]?.partitions.length ?? 0);
  // Informative only (a warning in the plan): a context without admin access still scales.
  const reads = await (async () => serviceAdmin(c).readAll())().catch(() => []);
  const emergency = reads.filter((r) => r.state && (r.state.consumer.profile === 'emergency' || r.state.retry.emergency)).map((r) => r.name);
  const plan = scalePlan({
    from,
    to,
    running,
    portOf: t.servicePort,
    topic: TOPICS.paymentTry,
    partitions,
    emergency,
    countFile: platform.kind === 'local' ? serviceInstancesFile(stack.paths) : null,
    platform: platform.where,
    group: CONSUMER_GROUP,
    timeoutS: opts.timeout,
  });

  await runMutation(
    g,
    c,
    opts,
    plan,
    async () => {
      const t0 = Date.now();
      const { start } = plan.data;
      let stopped: string[];
      try {
        // The local platform records the count first and puts it back if this fails.
        stopped = (await platform.scaleServices(to, { progress: g.ui.progress, signal: g.signal })).stopped;
      } catch (err) {
        throw new OpsError(`Scaling to ${to} failed: ${errorMessage(err)}`, {
          code: 'SCALE_FAILED',
          hint: `The stack records ${from} instance(s) again. Read the log (\`ticketctl stack logs ${start[0] ?? 'service-1'}\`) and \`ticketctl stack status\`; \`ticketctl stack up\` restores ${from}.`,
          cause: err,
        });
      }
      const members = await g.ui.progress.step(`wait for ${CONSUMER_GROUP} to hold ${to} member(s)`, () => waitForMembers(c, to, opts.timeout, g.signal));
      return { from, to, started: start, stopped, members, idleConsumers: plan.data.idleConsumers, durationMs: Date.now() - t0 };
    },
    (r) => [
      `${r.to} instance(s) run; ${CONSUMER_GROUP} is Stable with ${r.members.join(', ')}.`,
      ...(r.idleConsumers ? [`${r.idleConsumers} of them have no ${TOPICS.paymentTry} partition: idle for payments (more partitions would put them to work).`] : []),
      'Check the lag: `ticketctl consumers lag`.',
    ],
  );
}

/** Waits until the group is Stable with exactly service-1..service-n as members; returns their clientIds. */
async function waitForMembers(c: Context, n: number, timeoutS: number, signal: AbortSignal): Promise<string[]> {
  const want = Array.from({ length: n }, (_, i) => `ticketing-service-${i + 1}`).sort();
  try {
    return await withAdmin(c, (admin) =>
      waitFor(
        async () => {
          const d = await describeGroup(admin, CONSUMER_GROUP);
          const have = d.members.map((m) => m.clientId).sort();
          if (d.state !== 'Stable' || have.join() !== want.join()) throw new Error(`group ${d.state} with ${have.join(', ') || 'no members'}`);
          return have;
        },
        { timeoutMs: timeoutS * 1000, intervalMs: 500, what: `${CONSUMER_GROUP} Stable with ${want.join(', ')}`, signal },
      ),
    );
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
    throw new OpsError(`The instances run, but the consumer group did not settle within ${timeoutS} s: ${err.message}.`, {
      code: 'REBALANCE_TIMEOUT',
      retriable: true,
      hint: "Watch it with `ticketctl consumers lag --window 0`; read the instances' logs (`ticketctl stack logs service-<n>`); a larger --timeout may be all it needs.",
      cause: err,
    });
  }
}

import { seedConcerts } from '../../../service/index.ts';
import { TOPICS } from '../../../contracts/index.ts';
import type { ProbeEnv } from '../../probes/index.ts';
import { HarnessError, type DrillRun } from '../drill-run.ts';
import { steadyState, until } from '../observations.ts';

// Phase 1, before anything is injected: fresh seats (a new concert; the invariants look
// only at what this run created), then the steady-state hypothesis must hold within
// steadyState.withinMs, else nothing is injected (a harness error, exit 3). The DLQ's
// high watermarks now are the baseline of the `dlq-unchanged` probe and `dlq-accounted`.
// Returns what the probes of the later phases need.

export async function steadyStateBefore(run: DrillRun): Promise<ProbeEnv> {
  const { env, drill, scope } = run;
  const [concert] = await seedConcerts(env.db, { concerts: 1, seatsPerConcert: drill.load.seats, price: drill.load.price, namePrefix: `drill ${drill.name}` });
  Object.assign(scope, { concertId: concert!.concertId, seatIds: concert!.seatIds });
  run.journal.concertId = concert!.concertId;
  const since = Date.now();
  const before = await until(() => steadyState(env, drill, scope.concertId), drill.steadyState.withinMs, run.signal);
  run.check('steady state before the fault', before.ok, before.detail, since);
  if (!before.ok) throw new HarnessError(`the stack is not in steady state before the drill (${before.detail}); nothing was injected. Check \`ticketctl health\`.`);
  const dlqOffsets = await (await env.admin()).fetchTopicOffsets(TOPICS.paymentDlq);
  scope.dlqStart = dlqOffsets.map((p) => ({ partition: p.partition, offset: p.high }));
  const dlqBaseline = dlqOffsets.reduce((n, p) => n + BigInt(p.high), 0n);
  return env.probeEnv(async () => dlqBaseline, drill.steadyState.maxLag);
}

import type { Answer, OpResult } from '../load/run.ts';
import { fail, pass, type Invariant } from './types.ts';

// What users saw during the drill, from the load's own record of every answer: nothing
// hung past responses.maxMs, user-visible errors (responses.errorStatuses) stayed within
// responses.maxErrorRate, and every 503 said when to come back (Retry-After, report 2.3.1).
// A 409 for a lost race or a 402 decline is an answer, not an error.

export const responsesBounded: Invariant = {
  name: 'responses-bounded',
  phase: 'after-recovery',
  promise: "no request hung, user-visible errors within the bound, every 503 fast and with Retry-After (the load's answers)",
  async check(_env, { load, drill }) {
    const r = drill.responses;
    const answers: Array<{ op: OpResult; call: 'hold' | 'payment'; a: Answer }> = load.flatMap((op) => [
      { op, call: 'hold' as const, a: op.hold },
      ...(op.payment ? [{ op, call: 'payment' as const, a: op.payment }] : []),
    ]);
    if (answers.length === 0) return pass('the drill sent no requests');
    const row = (x: (typeof answers)[number], problem: string) => ({ problem, call: x.call, seatId: x.op.seatId, userId: x.op.userId, instance: x.op.instance + 1, ...x.a });
    const hung = answers.filter((x) => x.a.status === 0 || x.a.ms > r.maxMs).map((x) => row(x, x.a.status === 0 ? `no answer (${x.a.error})` : `answered after ${x.a.ms} ms > ${r.maxMs}`));
    const errors = answers.filter((x) => r.errorStatuses.includes(x.a.status));
    const no503Hint = r.retryAfterOn503 ? answers.filter((x) => x.a.status === 503 && !x.a.retryAfter).map((x) => row(x, '503 without Retry-After')) : [];
    const slow503 = answers.filter((x) => x.a.status === 503 && x.a.ms > r.max503Ms).map((x) => row(x, `503 after ${x.a.ms} ms > ${r.max503Ms}`));
    const rate = errors.length / answers.length;
    const bad = [...hung, ...(rate > r.maxErrorRate ? errors.map((x) => row(x, `error status ${x.a.status}`)) : []), ...no503Hint, ...slow503];
    const statuses = Object.entries(Object.groupBy(answers, (x) => String(x.a.status)))
      .map(([s, xs]) => `${xs!.length}x${s}`)
      .join(' ');
    const slowest = Math.max(...answers.map((x) => x.a.ms));
    if (bad.length)
      return fail(
        `${hung.length} hung, error rate ${(rate * 100).toFixed(1)} % (bound ${(r.maxErrorRate * 100).toFixed(1)} %), ${no503Hint.length} 503 without Retry-After, ${slow503.length} slow 503; answers ${statuses}`,
        bad,
      );
    return pass(`${answers.length} answers (${statuses}), slowest ${slowest} ms, error rate ${(rate * 100).toFixed(1)} %`);
  },
};

import type { RowDataPacket } from 'mysql2/promise';
import type { PollAnswer } from '../load/poll.ts';
import type { OpResult } from '../load/run.ts';
import { fail, pass, type Invariant } from './types.ts';

// Report 2.0.1 #3, clients polling through a database outage: from the load's record of its
// polls (load.pollMs, drills/load/poll.ts), every poll got an answer in time (none hung
// past responses.maxMs, no 500), each either the database's (200), the event log's fallback
// (200, fallback: true, with Retry-After) or a 503 with Retry-After; at least one poll was
// answered from the event log (otherwise the outage never met a poll and the drill proved
// nothing); and no fallback claimed more than happened: a fallback SUCCESS or FAILED is
// the payment's final status in MariaDB (the view lags the database, never leads it).

type Poll = { op: OpResult; a: PollAnswer };

export const pollsAnswered: Invariant = {
  name: 'polls-answered',
  phase: 'after-recovery',
  promise: 'polls during the outage answered in time: the database, the event-log fallback (matching MariaDB) or 503 + Retry-After; never 500 or a hang',
  async check({ db }, { load, drill }) {
    const polls: Poll[] = load.flatMap((op) => (op.polls ?? []).map((a) => ({ op, a })));
    if (polls.length === 0) return fail('the load recorded no polls (load.pollMs 0, or no payment accepted)', []);
    const row = (x: Poll, problem: string) => ({ problem, paymentTxId: x.op.payment?.paymentTxId, instance: x.op.instance + 1, ...x.a, at: new Date(x.a.at).toISOString() });
    const bad: unknown[] = [];
    for (const x of polls) {
      const { a } = x;
      if (a.status === 0 || a.ms > drill.responses.maxMs) bad.push(row(x, a.status === 0 ? `no answer (${a.error})` : `answered after ${a.ms} ms > ${drill.responses.maxMs}`));
      else if (a.status === 503 && !a.retryAfter) bad.push(row(x, '503 without Retry-After'));
      else if (a.status === 200 && a.fallback && !a.retryAfter) bad.push(row(x, 'fallback without Retry-After'));
      else if (a.status !== 200 && a.status !== 503) bad.push(row(x, `status ${a.status}`));
    }
    const fallbacks = polls.filter((x) => x.a.status === 200 && x.a.fallback);
    const claims = fallbacks.filter((x) => x.a.paymentStatus === 'SUCCESS' || x.a.paymentStatus === 'FAILED');
    const ids = [...new Set(claims.map((x) => x.op.payment!.paymentTxId))];
    const final = new Map<string, string>();
    if (ids.length) {
      const [rows] = await db.query<RowDataPacket[]>('SELECT payment_tx_id, status FROM payment_transactions WHERE payment_tx_id IN (?)', [ids]);
      for (const r of rows) final.set(r.payment_tx_id as string, r.status as string);
    }
    for (const x of claims) {
      const db = final.get(x.op.payment!.paymentTxId);
      if (db !== x.a.paymentStatus) bad.push(row(x, `fallback said ${x.a.paymentStatus}, MariaDB says ${db ?? 'no row'}`));
    }
    const counts = Object.entries(Object.groupBy(polls, (x) => `${x.a.status}${x.a.fallback ? ' fallback' : ''}${x.a.paymentStatus ? ` ${x.a.paymentStatus}` : ''}`))
      .map(([k, xs]) => `${xs!.length}x ${k}`)
      .join(', ');
    if (bad.length) return fail(`${bad.length} of ${polls.length} polls answered wrongly (${counts})`, bad);
    if (fallbacks.length === 0) return fail(`no poll was answered from the event log, so the outage met no poll (${counts})`, []);
    return pass(`${polls.length} polls of ${new Set(polls.map((x) => x.op.i)).size} payments: ${counts}; slowest ${Math.max(...polls.map((x) => x.a.ms))} ms`);
  },
};

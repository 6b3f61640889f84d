import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { TICKETCTL_DB_ACCOUNTS, type TicketctlDbRole } from '../../contracts/databases.ts';
import { parseJson, scratch, ctx, stackContextEntry } from './helpers.ts';

// Issue 12.3 on the real MariaDB: ticketctl's accounts hold exactly what their commands
// need. The read account only reads, the operator changes rows but never deletes one or the
// schema, the drill's may also read the gateway's ledger; root has no TCP account. A context
// without an operator account still runs every read command and every dry run; applying
// names the key it lacks, and a wrong password names the key it came from.

const s = scratch('db-accounts');
const t = ctx.topology;

async function as<T>(role: TicketctlDbRole, fn: (c: mysql.Connection) => Promise<T>, database = 'ticketing'): Promise<T> {
  const a = TICKETCTL_DB_ACCOUNTS[role];
  const conn = await mysql.createConnection({ host: t.host, port: t.mariadb.proxy, user: a.user, password: a.password, database, connectTimeout: 5000 });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

const denied = async (what: string, p: Promise<unknown>) => {
  await assert.rejects(p, (err: { code?: string }) => /DENIED/.test(err.code ?? ''), `${what} should be denied`);
};

test('read: SELECT and SHOW PROCESSLIST; no INSERT, UPDATE, DELETE or DDL', { timeout: 60_000 }, async () => {
  await as('read', async (c) => {
    await c.query('SELECT COUNT(*) FROM payment_transactions');
    await c.query('SHOW PROCESSLIST');
    await denied('INSERT', c.query("INSERT INTO concerts (name, starts_at) VALUES ('x', NOW())"));
    await denied('UPDATE', c.query('UPDATE seats SET status = status WHERE id = -1'));
    await denied('DELETE', c.query('DELETE FROM seats WHERE id = -1'));
    await denied('CREATE TABLE', c.query('CREATE TABLE ticketctl_probe (id INT)'));
  });
});

test('operator and drill: change rows, never delete one or touch the schema; only the drill reads the gateway ledger', { timeout: 60_000 }, async () => {
  for (const role of ['operator', 'drill'] as const) {
    await as(role, async (c) => {
      await c.query('UPDATE seats SET status = status WHERE id = -1');
      await denied(`${role} DELETE`, c.query('DELETE FROM seats WHERE id = -1'));
      await denied(`${role} DROP`, c.query('DROP TABLE ticketctl_dlq_replays'));
      await denied(`${role} ALTER`, c.query('ALTER TABLE seats ADD COLUMN x INT'));
      await denied(`${role} CREATE`, c.query('CREATE TABLE ticketctl_probe (id INT)'));
    });
  }
  await as('drill', (c) => c.query('SELECT COUNT(*) FROM gateway_charges'), 'gateway');
  await denied(
    'operator on the gateway ledger',
    as('operator', (c) => c.query('SELECT 1'), 'gateway'),
  );
});

test('root has no account over TCP, neither through the proxy nor on the server port', { timeout: 60_000 }, async () => {
  for (const port of [t.mariadb.proxy, t.mariadb.port]) {
    await assert.rejects(
      mysql.createConnection({ host: t.host, port, user: 'root', password: '', connectTimeout: 5000 }),
      (err: { code?: string }) => err.code === 'ER_ACCESS_DENIED_ERROR',
      `root over TCP on ${port}`,
    );
  }
});

test('a context with only the read account: reads and dry runs work; applying names mariadb.operator (exit 2); a wrong password exits 1 naming the key', { timeout: 120_000 }, async () => {
  const readOnly = { mariadb: { user: TICKETCTL_DB_ACCOUNTS.read.user, password: { env: 'READ_PW' } } };
  const env = { ...s.config({ contexts: { readonly: stackContextEntry(readOnly) } }), READ_PW: TICKETCTL_DB_ACCOUNTS.read.password };
  // A stack context derives every account; giving mariadb.operator: null is not a thing, so the remote form says it: no operator.
  const remote = {
    kafka: { bootstrap: t.kafka.bootstrap },
    redis: { master: `${t.host}:${t.redis.masterProxy}` },
    mariadb: { host: t.host, port: t.mariadb.proxy, database: 'ticketing', ...readOnly.mariadb },
    gateway: `http://${t.host}:${t.gateway.proxy}`,
    services: [`http://${t.host}:${t.servicePort(1)}`],
    protected: false,
  };
  const renv = { ...s.config({ contexts: { remote } }, 'remote.json'), READ_PW: TICKETCTL_DB_ACCOUNTS.read.password };
  const dup = await s.run(['--context', 'remote', 'payments', 'duplicates', '--since', '1h', '-o', 'json'], renv);
  assert.ok(dup.exitCode === 0 || dup.exitCode === 1, dup.stderr);
  assert.ok(Array.isArray(parseJson(dup).groups), 'a read command runs on the read account alone');
  const dry = await s.run(['--context', 'remote', 'payments', 'refund-duplicates', '--since', '1h', '--dry-run', '-o', 'json'], renv);
  assert.equal(dry.exitCode, 0, `a dry run needs only the read account: ${dry.stderr}`);
  const apply = await s.run(['--context', 'remote', 'payments', 'refund-duplicates', '--since', '1h', '--yes', '--confirm-context', 'remote'], renv);
  assert.equal(apply.exitCode, 2, apply.stderr);
  assert.match(apply.stderr, /Context "remote" has no operator account on its database[\s\S]*contexts\.remote\.mariadb\.operator/);

  const wrong = await s.run(['--context', 'readonly', 'payments', 'duplicates', '--since', '1h'], { ...env, READ_PW: 'not-the-password' });
  assert.equal(wrong.exitCode, 1, wrong.stderr);
  assert.match(wrong.stderr, /did not accept the read account ticketctl_read[\s\S]*contexts\.readonly\.mariadb\.user\/password, from env READ_PW/);
  assert.ok(!wrong.stderr.includes('not-the-password'), 'the password is never printed');
});

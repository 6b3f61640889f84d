import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { allComponents } from '../../stack/components/index.ts';
import { mariadbQuery } from '../../stack/probes/mariadb.ts';
import { readPidRecord } from '../../stack/supervisor/pidfile.ts';
import { isPortFree } from '../../stack/supervisor/ports.ts';
import { isAlive } from '../../stack/supervisor/process.ts';
import { ticketctl } from '../helpers/cli.ts';
import { consumeTagged, produceTagged, testKafka } from '../helpers/kafka.ts';
import { restoreStack, testStack, uniqueName } from '../helpers/stack.ts';
import { DATABASES } from '../../contracts/databases.ts';

// `up` is idempotent, `down` leaves nothing running, and data written before a restart is
// there after it: Kafka messages, Redis keys (AOF) and MariaDB rows.

const ctx = testStack();

test('up twice is a no-op; down stops everything; up again keeps the data', { timeout: 600_000 }, async () => {
  const again = await ticketctl(['stack', 'up']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stderr, /already up.*nothing to do/i);

  // Data in all three stores, written through the proxies as clients do.
  const kafka = testKafka(ctx);
  const sent = await produceTagged(kafka, 'payment.cancel', 4);
  const redisKey = uniqueName('lifecycle');
  const redis = new Redis({ port: ctx.topology.redis.masterProxy, host: ctx.topology.host, lazyConnect: true });
  await redis.connect();
  await redis.set(redisKey, 'kept');
  redis.disconnect();
  const db = { port: ctx.topology.mariadb.proxy, user: DATABASES.service.user, password: DATABASES.service.password, database: DATABASES.service.database };
  const rowId = uniqueName('row');
  await mariadbQuery(db, 'CREATE TABLE IF NOT EXISTS lifecycle_probe (id VARCHAR(64) PRIMARY KEY)');
  await mariadbQuery(db, 'INSERT INTO lifecycle_probe (id) VALUES (?)', [rowId]);

  const records = allComponents(ctx.topology).map((c) => readPidRecord(ctx.paths.pidFile(c.name)));
  assert.ok(
    records.every((r) => r && isAlive(r)),
    'every component has a live recorded process before down',
  );

  const down = await ticketctl(['stack', 'down']);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.match(down.stderr, /Stopped .*kafka-1/);
  for (const r of records) assert.equal(isAlive(r!), false, `${r!.name} (pid ${r!.pid}) must be gone after down`);
  assert.deepEqual(
    readdirSync(ctx.paths.run).filter((f) => f.endsWith('.pid')),
    [],
    'no PID file left',
  );
  for (const c of allComponents(ctx.topology)) {
    for (const { port, purpose } of c.ports) assert.ok(await isPortFree(port), `port ${port} (${purpose}) must be free after down`);
  }

  const statusDown = await ticketctl(['stack', 'status', '--output', 'json']);
  assert.equal(statusDown.exitCode, 1, 'status exits 1 while the stack is down');
  const parsed = JSON.parse(statusDown.stdout) as { healthy: boolean; components: Array<{ state: string }> };
  assert.equal(parsed.healthy, false);
  assert.ok(parsed.components.every((c) => c.state === 'down'));

  const downAgain = await ticketctl(['stack', 'down']);
  assert.equal(downAgain.exitCode, 0);
  assert.match(downAgain.stderr, /nothing to stop/i);

  const up = await ticketctl(['stack', 'up']);
  assert.equal(up.exitCode, 0, up.stderr);
  assert.match(up.stderr, /Started /);
  await restoreStack(ctx);

  assert.deepEqual(await consumeTagged(testKafka(ctx), sent, 120_000), [...sent.values].sort(), 'Kafka messages survive a restart');
  const redisAfter = new Redis({ port: ctx.topology.redis.masterProxy, host: ctx.topology.host, lazyConnect: true });
  await redisAfter.connect();
  assert.equal(await redisAfter.get(redisKey), 'kept', 'Redis keys survive a restart (AOF)');
  redisAfter.disconnect();
  const rows = await mariadbQuery<Array<{ id: string }>>(db, 'SELECT id FROM lifecycle_probe WHERE id = ?', [rowId]);
  assert.equal(rows.length, 1, 'MariaDB rows survive a restart');
});

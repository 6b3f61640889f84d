import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { StartupError, errorMessage } from '../../lib/index.ts';
import { mariadbQuery } from '../probes/mariadb.ts';
import { probeWithin } from '../probes/result.ts';
import type { Topology } from '../../contracts/index.ts';
import type { Component, StackContext } from './types.ts';
import { DATABASES, TICKETCTL_DB_ACCOUNTS } from '../../contracts/index.ts';

// MariaDB 10.11 (speaks the MySQL protocol mysql2 uses). `--no-defaults` keeps the
// distribution's /etc/mysql config out; clients reach it over TCP through the proxy (a
// `localhost` socket would bypass Toxiproxy), while the stack itself administers it as
// root over a private socket.

const runAsRoot = () => (process.getuid?.() === 0 ? ['--user=root'] : []);

export function mariadbSocket(ctx: StackContext): string {
  return path.join(ctx.paths.run, 'mariadb.sock');
}

export function createMariadbComponent(t: Topology): Component {
  const name = 'mariadb';
  return {
    name,
    group: 'mariadb',
    endpoint: `${t.host}:${t.mariadb.proxy}`,
    ports: [{ port: t.mariadb.port, purpose: 'mariadb' }],
    async prepare(ctx) {
      const datadir = ctx.paths.dataDir(name);
      mkdirSync(ctx.paths.run, { recursive: true });
      if (existsSync(path.join(datadir, 'mysql'))) return;
      mkdirSync(datadir, { recursive: true });
      try {
        await execa(ctx.tools.mariadbInstallDb, ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...runAsRoot()]);
      } catch (err) {
        throw new StartupError(name, `mariadb-install-db failed: ${errorMessage(err).split('\n').slice(-3).join(' ')}`, `Remove ${datadir} and run \`ticketctl stack up\` again.`, err);
      }
    },
    launch(ctx) {
      return {
        file: ctx.tools.mariadbd,
        args: [
          '--no-defaults',
          `--datadir=${ctx.paths.dataDir(name)}`,
          `--port=${t.mariadb.port}`,
          `--bind-address=${t.host}`,
          `--socket=${mariadbSocket(ctx)}`,
          `--pid-file=${path.join(ctx.paths.run, 'mariadbd.pid')}`,
          '--skip-name-resolve',
          '--character-set-server=utf8mb4',
          '--collation-server=utf8mb4_unicode_ci',
          '--max-connections=400',
          '--default-time-zone=+00:00', // NOW() and DATETIME agree with the service's UTC
          '--innodb-buffer-pool-size=256M',
          ...runAsRoot(),
        ],
      };
    },
    probe: (ctx) =>
      probeWithin(3000, async () => {
        const rows = await mariadbQuery<Array<{ v: string }>>({ socketPath: mariadbSocket(ctx), user: 'root' }, 'SELECT VERSION() AS v');
        return `version ${rows[0]?.v ?? '?'}`;
      }),
    probeProxy: () =>
      probeWithin(3000, async () => {
        const { user, password, database } = DATABASES.service;
        await mariadbQuery({ port: t.mariadb.proxy, user, password, database }, 'SELECT 1');
        return `SELECT 1 as ${user}`;
      }),
    startTimeoutMs: 60_000,
    stopTimeoutMs: 30_000,
  };
}

/**
 * Creates the service's and the gateway's databases and accounts, and ticketctl's three
 * (contracts/databases.ts), each with exactly its grants; idempotent. Also drops the TCP
 * root accounts mariadb-install-db makes without a password (root@127.0.0.1, @::1, @<host>):
 * through the proxy they would let anyone on the machine in as root. The stack itself is
 * root over its private socket only.
 */
export async function ensureDatabases(ctx: StackContext): Promise<void> {
  const root = { socketPath: mariadbSocket(ctx), user: 'root' };
  const tcpRoots = await mariadbQuery<Array<{ Host: string }>>(root, "SELECT Host FROM mysql.user WHERE User = 'root' AND Host <> 'localhost'");
  for (const { Host } of tcpRoots) await mariadbQuery(root, 'DROP USER ?@?', ['root', Host]);
  for (const db of Object.values(DATABASES)) {
    await mariadbQuery(root, `CREATE DATABASE IF NOT EXISTS \`${db.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await ensureAccount(root, db.user, db.password, [`ALL PRIVILEGES ON \`${db.database}\`.*`]);
  }
  for (const a of Object.values(TICKETCTL_DB_ACCOUNTS)) await ensureAccount(root, a.user, a.password, a.grants);
}

/** The account on both local hosts, with this password and these grants and no others. */
async function ensureAccount(root: { socketPath: string; user: string }, user: string, password: string, grants: string[]): Promise<void> {
  for (const host of ['127.0.0.1', 'localhost']) {
    await mariadbQuery(root, 'CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, host, password]);
    await mariadbQuery(root, 'ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
    await mariadbQuery(root, 'REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?', [user, host]);
    for (const grant of grants) await mariadbQuery(root, `GRANT ${grant} TO ?@?`, [user, host]);
  }
}

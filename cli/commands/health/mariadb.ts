import type { RowDataPacket } from 'mysql2/promise';
import { withServiceConnection } from '../../../clients/index.ts';
import type { Context } from '../../../clients/index.ts';
import { runCheck, up, warn, type ComponentHealth } from './check.ts';

// MariaDB as the service sees it, through the proxy (local stack), as ticketctl's read
// account. SHOW PROCESSLIST (the account holds PROCESS, report 2.3.1) shows how full the server's
// connections are and whether queries pile up: the pool-starvation signal.

const SYSTEM_COMMANDS = new Set(['Sleep', 'Daemon', 'Binlog Dump', 'Killed']);

export function mariadbCheck(c: Context): Promise<ComponentHealth> {
  const { host, port } = c.mariadb;
  const user = c.mariadb.accounts.read?.user ?? '(no read account)';
  return runCheck({ component: 'mariadb', group: 'mariadb', endpoint: `${host}:${port}` }, () =>
    withServiceConnection(c, async (conn) => {
      await conn.query('SELECT 1');
      const [[vars]] = await conn.query<RowDataPacket[]>('SELECT @@max_connections AS max');
      const [list] = await conn.query<RowDataPacket[]>('SHOW PROCESSLIST');
      const others = list.filter((r) => Number(r.Id) !== conn.threadId && r.User !== 'system user' && r.User !== 'event_scheduler');
      const busy = others.filter((r) => !SYSTEM_COMMANDS.has(String(r.Command)));
      const slow = busy.filter((r) => Number(r.Time) >= 30);
      const max = Number(vars?.max ?? 0);
      const detail = `SELECT 1 as ${user} ok; ${others.length} connection(s) of max ${max}, ${busy.length} not sleeping`;
      if (max && others.length >= 0.8 * max) return warn(`${detail}: near max_connections`);
      if (slow.length) return warn(`${detail}; ${slow.length} running >= 30 s (longest ${Math.max(...slow.map((r) => Number(r.Time)))} s)`);
      return up(detail);
    }),
  );
}

import { describeContext, resolveContext } from '../../../clients/index.ts';
import { resolveOutput } from '../../shared/ui.ts';
import type { Globals } from '../../shared/globals.ts';

// The context as every command would use it: endpoints, platform, accounts, and for each
// secret where it comes from (`env NAME`, `file <path>`), never its value; nothing is
// contacted and no secret is read.

export async function run(g: Globals, name: string | undefined, opts: { output?: string }): Promise<void> {
  const c = name ? await resolveContext({ flag: name, env: g.env }) : await g.context();
  const view = describeContext(c);
  if (resolveOutput(opts.output, g.ui.isTty) === 'json') return g.ui.json(view);
  const rows: string[][] = [
    ['name', view.name],
    ['source', view.source],
    ['protected / drills', `${view.protected ? 'protected' : 'not protected'} / drills ${view.allowDrills ? 'allowed' : 'refused'}`],
    ['platform', view.platform],
    ['stack', view.stack ?? '-'],
    ['kafka', view.kafka.bootstrap.join(', ')],
    [
      'redis',
      `master ${view.redis.master}${view.redis.replica ? `, replica ${view.redis.replica}` : ''}${view.redis.sentinels.length ? `, sentinels ${view.redis.sentinels.join(', ')} (${view.redis.masterName})` : ''}`,
    ],
    ['mariadb', `${view.mariadb.address}/${view.mariadb.database}`],
    ...Object.entries(view.mariadb.accounts).map(([role, a]) => [`  ${role} account`, a ? `${a.user}, password from ${a.password}` : 'none']),
    ['gateway', view.gateway || '-'],
    ['services', view.services.join(', ') || '-'],
    ['admin', view.admin.urls.join(', ') || '-'],
    ['  admin token', view.admin.token ?? 'none'],
    ['toxiproxy', view.toxiproxy ?? 'none'],
  ];
  g.ui.table(['KEY', 'VALUE'], rows);
}

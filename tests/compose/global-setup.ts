import { stackDown } from '../../stack/index.ts';
import { ticketctl } from '../helpers/cli.ts';
import { testStack } from '../helpers/stack.ts';

// `npm run test:compose`: the compose deployment of docker-compose.yml, brought up once with
// the real command a user types (engine, Compose v2 and images provisioned where missing),
// for every tests/compose/*.compose.test.ts; taken down again at the end. It uses the local
// stack's ports, so the local stack is stopped first (its data stays).

const say = (m: string) => void process.stderr.write(`[compose] ${m}\n`);

export async function globalSetup(): Promise<void> {
  const local = await stackDown(testStack());
  if (local.stopped.length) say(`stopped the local stack (${local.stopped.map((s) => s.name).join(', ')}): the compose deployment takes its ports`);
  const t0 = Date.now();
  const up = await ticketctl(['stack', 'up', '--platform', 'compose'], { TICKETCTL_PROGRESS: 'plain' }, 60 * 60_000);
  process.stderr.write(`${up.stderr}\n`);
  if (up.exitCode !== 0) throw new Error(`ticketctl stack up --platform compose exited ${up.exitCode}`);
  say(`deployment up and healthy in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export async function globalTeardown(): Promise<void> {
  const down = await ticketctl(['stack', 'down', '--platform', 'compose'], { TICKETCTL_PROGRESS: 'plain' }, 600_000);
  process.stderr.write(down.stderr);
}

// A CI job's whole chaos check, as a user's pipeline can copy it: start the ticketing stack
// on the runner's Docker engine with testcontainers, run one drill against it with
// ticketctl, stop the stack. Exit code: the drill's (0 pass, 1 fail, 2 usage, 3 faults left).
//
//   node examples/ci-drill.ts [drill]    # default kafka-broker-killed
//
// Needs a Docker engine (DOCKER_HOST, the default socket, or none: ticketctl starts its own)
// and the stack's ports free on 127.0.0.1 (docs/compose.md). The first run builds the images.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startTicketingStack } from '../testing/index.ts';

const drill = process.argv[2] ?? 'kafka-broker-killed';
const ticketctl = path.join(import.meta.dirname, '..', 'bin', 'ticketctl');

const stack = await startTicketingStack();
let code = 0;
try {
  console.error(`stack up as compose project ${stack.project}; running drill ${drill}`);
  execFileSync(ticketctl, ['drill', 'run', drill, '--yes', '--output', 'table'], { stdio: 'inherit', env: { ...process.env, ...stack.env, TICKETCTL_PROGRESS: 'plain' } });
} catch (err) {
  code = (err as { status?: number }).status ?? 1;
} finally {
  await stack.stop();
}
console.error(code === 0 ? `drill ${drill} passed; stack removed` : `drill ${drill} exited ${code}; stack removed`);
process.exit(code);

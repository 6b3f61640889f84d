import { UsageError } from '../lib/index.ts';

// Connection settings for the stack a command targets. Read only here, at the edge:
// defaults, then environment. (Named contexts from a config file come with the runbooks.)

export interface CliConfig {
  stackDir: string | undefined;
  portOffset: number;
}

export function readConfig(env: NodeJS.ProcessEnv): CliConfig {
  const raw = env.TICKETCTL_PORT_OFFSET;
  const portOffset = raw === undefined || raw === '' ? 0 : Number(raw);
  if (!Number.isInteger(portOffset) || portOffset < 0 || portOffset > 10_000) {
    throw new UsageError(`TICKETCTL_PORT_OFFSET="${raw}" is not a whole number between 0 and 10000.`, 'Unset it, or set it to e.g. 1000 to run a second stack beside the first.');
  }
  return { stackDir: env.TICKETCTL_STACK_DIR || undefined, portOffset };
}

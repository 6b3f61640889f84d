import { createStackContext } from '../stack/index.ts';
import { createStackPaths } from '../stack/paths.ts';
import { createTopology } from '../stack/topology.ts';
import type { StackContext } from '../stack/components/types.ts';
import { readConfig } from './config.ts';
import { requireLocalStack, type Context } from './context.ts';

export function stackContextFromEnv(env: NodeJS.ProcessEnv = process.env): StackContext {
  const { stackDir, portOffset } = readConfig(env);
  return createStackContext({ stackDir, portOffset });
}

/** The local stack a context names; a usage error for a context without a `stack` section. */
export function stackContextOf(c: Context, what: string): StackContext {
  const { dir, portOffset } = requireLocalStack(c, what);
  return { paths: createStackPaths(dir), topology: createTopology({ portOffset }) };
}

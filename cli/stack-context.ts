import { createStackContext } from '../stack/index.ts';
import type { StackContext } from '../stack/components/types.ts';
import { readConfig } from './config.ts';

export function stackContextFromEnv(env: NodeJS.ProcessEnv = process.env): StackContext {
  const { stackDir, portOffset } = readConfig(env);
  return createStackContext({ stackDir, portOffset });
}

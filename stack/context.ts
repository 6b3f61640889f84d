import { createStackPaths } from './paths.ts';
import { createTopology, DEFAULT_STACK_DIR } from '../contracts/index.ts';
import type { StackContext } from './components/types.ts';

/** The stack a command works on: its folder and its ports. */
export function createStackContext({ stackDir = DEFAULT_STACK_DIR, portOffset = 0 }: { stackDir?: string; portOffset?: number } = {}): StackContext {
  return { paths: createStackPaths(stackDir), topology: createTopology({ portOffset }) };
}

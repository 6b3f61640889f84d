import { createStackPaths } from './paths.ts';
import { DEFAULT_STACK_DIR } from '../contracts/repo.ts';
import { createTopology } from '../contracts/topology.ts';
import type { StackContext } from './components/types.ts';

export { stackUp, type UpReport, type UpOptions } from './up.ts';
export { stackDown, type DownReport } from './down.ts';
export { stackStatus, type StackStatus, type ComponentStatus } from './status.ts';

export { DEFAULT_STACK_DIR };

/** The stack a command works on: its folder and its ports. */
export function createStackContext({ stackDir = DEFAULT_STACK_DIR, portOffset = 0 }: { stackDir?: string; portOffset?: number } = {}): StackContext {
  return { paths: createStackPaths(stackDir), topology: createTopology({ portOffset }) };
}

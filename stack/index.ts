import { createStackPaths, REPO_ROOT } from './paths.ts';
import { createTopology } from '../contracts/topology.ts';
import type { StackContext } from './components/types.ts';
import path from 'node:path';

export { stackUp, type UpReport, type UpOptions } from './up.ts';
export { stackDown, type DownReport } from './down.ts';
export { stackStatus, type StackStatus, type ComponentStatus } from './status.ts';

export const DEFAULT_STACK_DIR = path.join(REPO_ROOT, '.stack');

/** The stack a command works on: its folder and its ports. */
export function createStackContext({ stackDir = DEFAULT_STACK_DIR, portOffset = 0 }: { stackDir?: string; portOffset?: number } = {}): StackContext {
  return { paths: createStackPaths(stackDir), topology: createTopology({ portOffset }) };
}

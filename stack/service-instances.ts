import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OpsError } from '../lib/index.ts';
import type { StackPaths } from './paths.ts';
import { DEFAULT_SERVICE_INSTANCES, MAX_SERVICE_INSTANCES } from '../contracts/index.ts';

// How many service instances this stack runs (report 4.2.1: scale out and in). It lives in
// the stack folder, so `stack up`, `stack status`, `stack down`, `ticketctl health` and the
// context's service list all agree after `ticketctl consumers scale`. No file: the default.

export function serviceInstancesFile(paths: Pick<StackPaths, 'conf'>): string {
  return path.join(paths.conf, 'service-instances.json');
}

export function readServiceInstances(paths: Pick<StackPaths, 'conf'>): number {
  const file = serviceInstancesFile(paths);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return DEFAULT_SERVICE_INSTANCES;
  }
  let count: unknown;
  try {
    count = (JSON.parse(text) as { count?: unknown }).count;
  } catch {
    count = undefined;
  }
  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > MAX_SERVICE_INSTANCES) {
    throw new OpsError(`${file} does not hold a service instance count from 1 to ${MAX_SERVICE_INSTANCES} (expected {"count": N}).`, {
      code: 'BAD_STACK_STATE',
      hint: `Set it with \`ticketctl consumers scale <count>\`, or delete the file to go back to ${DEFAULT_SERVICE_INSTANCES} instances.`,
    });
  }
  return count as number;
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
export function writeServiceInstances(paths: Pick<StackPaths, 'conf'>, count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SERVICE_INSTANCES) throw new RangeError(`service instance count ${count} must be 1..${MAX_SERVICE_INSTANCES}`);
  const file = serviceInstancesFile(paths);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ count })}\n`);
  renameSync(`${file}.tmp`, file);
}

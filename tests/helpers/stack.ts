import { createStackContext, stackStatus, stackUp } from '../../stack/index.ts';
import type { StackContext } from '../../stack/components/types.ts';
import { waitFor } from '../../lib/wait.ts';
import { readConfig } from '../../clients/context-env.ts';

/**
 * The stack the tests run against, which the global setup brought up: the default one, or
 * the one TICKETCTL_STACK_DIR / TICKETCTL_PORT_OFFSET name (a second stack beside a dev one).
 */
export function testStack(): StackContext {
  return createStackContext(readConfig(process.env));
}

/** Brings back anything a test stopped and waits until the whole stack is healthy again. */
export async function restoreStack(ctx: StackContext = testStack()): Promise<void> {
  await stackUp(ctx);
  await waitFor(async () => (await stackStatus(ctx)).healthy, { timeoutMs: 120_000, intervalMs: 1000, what: 'the stack to be healthy' });
}

/** A name no other test (or earlier run) used: topics, groups and keys per test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

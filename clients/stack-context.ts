import { createPlatform, createStackContext } from '../stack/index.ts';
import type { Platform, StackContext } from '../stack/index.ts';
import { requireLocalStack, type Context } from './context.ts';

/** The stack a context names; a usage error for a context without a `stack` section. */
export function stackContextOf(c: Context, what: string): StackContext {
  const { dir, portOffset } = requireLocalStack(c, what);
  return createStackContext({ stackDir: dir, portOffset });
}

/**
 * The stack a context names and the platform that runs its processes (local or compose),
 * for commands that act on a running deployment: a compose project with no container is
 * a usage error (exit 2) before anything is planned, never a fresh project half-created.
 */
export async function platformOf(c: Context, what: string): Promise<{ stack: StackContext; platform: Platform }> {
  const stack = stackContextOf(c, what);
  const platform = await createPlatform(stack, c.platform ?? { kind: 'local' });
  await platform.requireDeployed();
  return { stack, platform };
}

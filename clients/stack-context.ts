import { createStackContext } from '../stack/index.ts';
import type { StackContext } from '../stack/index.ts';
import { requireLocalStack, type Context } from './context.ts';

/** The local stack a context names; a usage error for a context without a `stack` section. */
export function stackContextOf(c: Context, what: string): StackContext {
  const { dir, portOffset } = requireLocalStack(c, what);
  return createStackContext({ stackDir: dir, portOffset });
}

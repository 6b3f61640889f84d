import { stackContextOf, type Context } from '../../../clients/index.ts';
import { DEFAULT_COMPOSE_PROJECT, PLATFORM_KINDS, type PlatformSpec, type StackContext } from '../../../stack/index.ts';
import { UsageError } from '../../../lib/index.ts';
import type { Globals } from '../../shared/globals.ts';

// `stack up|down|status|logs --platform <kind>`: the context's platform unless the flag names
// another one; then that platform's built-in deployment (local processes, or the
// repository's docker-compose.yml as project `ticketing`) on the context's stack folder.

export interface PlatformChoice {
  context: Context;
  stack: StackContext;
  spec: PlatformSpec;
}

export async function choosePlatform(g: Globals, flag: string | undefined, what: string): Promise<PlatformChoice> {
  const context = await g.context();
  const stack = stackContextOf(context, what);
  const own = context.platform ?? { kind: 'local' as const };
  if (flag === undefined || flag === own.kind) return { context, stack, spec: own };
  if (!(PLATFORM_KINDS as readonly string[]).includes(flag))
    throw new UsageError(`Unknown platform "${flag}".`, `Choose one of: ${PLATFORM_KINDS.join(', ')} (or pick a context that names one: --context compose).`);
  return { context, stack, spec: flag === 'compose' ? { kind: 'compose', ...DEFAULT_COMPOSE_PROJECT } : { kind: 'local' } };
}

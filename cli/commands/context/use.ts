import { setDefaultContext } from '../../../clients/index.ts';
import type { Globals } from '../../shared/globals.ts';

export async function run(g: Globals, name: string): Promise<void> {
  const r = setDefaultContext(g.env, name);
  g.ui.out(`Default context: ${name}${r.previous && r.previous !== name ? ` (was ${r.previous})` : ''}, in ${r.file}.`);
  if (g.env.TICKETCTL_CONTEXT && g.env.TICKETCTL_CONTEXT !== name) g.ui.err(`note: TICKETCTL_CONTEXT=${g.env.TICKETCTL_CONTEXT} is set in this shell and still wins; unset it to use ${name}.`);
}

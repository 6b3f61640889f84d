import { buildImages, defaultBuildCa, ensureEngine, DEFAULT_COMPOSE_PROJECT } from '../../../stack/index.ts';
import { stackContextOf } from '../../../clients/index.ts';
import { baseChoice, buildCaFlag } from './up.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl stack images build`: the compose deployment's images, built on this machine's
// engine (its own dockerd where none answers). BuildKit's progress goes to stderr as it
// comes; a second build of unchanged sources takes seconds (layer cache).

export async function run(g: Globals, opts: { base?: string; buildCa?: string; cache?: boolean }): Promise<void> {
  const { ui } = g;
  const c = await g.context();
  const stack = stackContextOf(c, '`stack images build`');
  const project = c.platform?.kind === 'compose' ? c.platform : DEFAULT_COMPOSE_PROJECT;
  const engine = await ensureEngine(stack.paths, ui.progress);
  const buildCa = buildCaFlag(opts.buildCa);
  const r = await buildImages(stack.paths, engine, project.file, project.project, {
    base: baseChoice(opts.base),
    buildCa: buildCa === undefined ? defaultBuildCa() : buildCa,
    noCache: opts.cache === false,
    progress: ui.progress,
    onLine: (line) => ui.err(ui.color.dim(line)),
  });
  ui.err(`${ui.color.green('✔')} Built ${r.images.join(', ')} on ${r.base} in ${(r.durationMs / 1000).toFixed(1)} s.`);
}

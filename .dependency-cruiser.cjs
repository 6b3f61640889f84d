// The floors of the house and what may import what (docs/architecture.md draws them).
// `npm run lint:deps` checks every product file; CI runs it. Tests (`*.test.ts`, tests/)
// may reach into any folder, since they test internals; product code may not.
//
//   cli, scripts        the programs people run
//   examples            programs for users to copy (through testing/ only)
//   testing             the testcontainers entry for CI users
//   drills              chaos drills (never the CLI)
//   clients             context resolution + one client per system
//   service, stack      the service; the local stack's supervisor (never each other)
//   contracts           names every part shares
//   lib                 generic building blocks
const TOPS = ['lib', 'contracts', 'service', 'stack', 'clients', 'drills', 'cli', 'scripts', 'testing', 'examples'];
const MAY_IMPORT = {
  lib: [],
  contracts: ['lib'],
  service: ['lib', 'contracts'],
  stack: ['lib', 'contracts'],
  clients: ['lib', 'contracts', 'service', 'stack'],
  drills: ['lib', 'contracts', 'service', 'stack', 'clients'],
  cli: ['lib', 'contracts', 'service', 'stack', 'clients', 'drills'],
  scripts: ['lib', 'contracts', 'service', 'stack', 'clients'],
  testing: ['lib', 'contracts', 'stack'],
  examples: ['testing'],
};
const PRODUCT = '\\.ts$';
const TEST = '(\\.test\\.ts$|^tests/)';

module.exports = {
  forbidden: [
    ...TOPS.map((top) => ({
      name: `floors-${top}`,
      comment: `${top}/ may import only ${MAY_IMPORT[top].join(', ') || 'nothing of the project'} (see docs/architecture.md, "Floors").`,
      severity: 'error',
      from: { path: `^${top}/`, pathNot: TEST },
      to: { path: `^(${TOPS.filter((t) => t !== top && !MAY_IMPORT[top].includes(t)).join('|')}|tests)/` },
    })),
    {
      name: 'entry-points',
      comment: 'Another folder is reached through its index.ts only: import what it exports there (or export it there, if others may use it).',
      severity: 'error',
      from: { path: `^(${TOPS.join('|')})/`, pathNot: TEST },
      to: { path: `^(${TOPS.join('|')})/`, pathNot: ['^$1/', `^(${TOPS.join('|')})/index\\.ts$`] },
    },
    {
      name: 'no-circular',
      comment: 'Files must not import each other in a loop.',
      severity: 'error',
      from: { path: PRODUCT, pathNot: TEST },
      to: { circular: true },
    },
    {
      name: 'no-missing',
      comment: 'An import that resolves to no file.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.stack)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'], exportsFields: ['exports'], conditionNames: ['import', 'node', 'default', 'types'], mainFields: ['module', 'main', 'types'] },
  },
};

// Loaded with `--import` (NODE_OPTIONS) into a process under test: records every bare
// package the process imports and writes the list, one per line, to $RECORD_IMPORTS_TO on
// exit. Lets a test prove what a command does NOT load, with no clock involved.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const seen = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (!specifier.startsWith('.') && !specifier.startsWith('#') && !specifier.startsWith('node:') && !specifier.startsWith('file:') && !specifier.startsWith('/')) {
      seen.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
    }
    return nextResolve(specifier, context);
  },
});
process.on('exit', () => writeFileSync(process.env.RECORD_IMPORTS_TO!, [...seen].sort().join('\n')));

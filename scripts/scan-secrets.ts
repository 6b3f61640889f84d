// `npm run test:secrets`: after the suites and drills, searches everything they wrote for
// the stack's secrets (its credentials folder): the stack's logs, audit log, drill reports
// and journals, the tests' scratch folders. Exit 1 naming each file and line (never the
// value); run by `make test`, so CI fails on a leak.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfig } from '../clients/index.ts';
import { DEFAULT_STACK_DIR } from '../contracts/index.ts';
import { createStackPaths } from '../stack/index.ts';
import { scanForSecrets } from './secret-scan.ts';

const paths = createStackPaths(readConfig(process.env).stackDir ?? DEFAULT_STACK_DIR);
if (!existsSync(paths.credentials)) {
  console.error(`scan-secrets: no credentials in ${paths.credentials}: run \`ticketctl stack up\` first.`);
  process.exit(2);
}
const secrets = Object.fromEntries(readdirSync(paths.credentials).map((name) => [name, readFileSync(path.join(paths.credentials, name), 'utf8').trim()]));
const tmp = os.tmpdir();
const scratch = readdirSync(tmp)
  .filter((d) => /^ticketctl-|^ticketing-tc-/.test(d))
  .map((d) => path.join(tmp, d));
const roots = [paths.logs, path.join(paths.root, 'audit.log'), path.join(paths.root, 'reports'), path.join(paths.root, 'run'), ...scratch];
// The secrets' own home is where they belong; everything else must not hold them.
const { files, findings } = scanForSecrets(roots, secrets, (f) => f.startsWith(paths.credentials + path.sep));
for (const f of findings) console.error(`LEAK: ${f.secret} in ${f.file}:${f.line}`);
console.log(`scan-secrets: ${Object.keys(secrets).length} secret(s) searched for in ${files} file(s) under ${roots.length} root(s): ${findings.length ? `${findings.length} leak(s)` : 'none found'}.`);
process.exit(findings.length ? 1 : 0);

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanForSecrets } from './secret-scan.ts';

test('scanForSecrets: finds each occurrence by file and line, names the secret and never returns its value', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'secret-scan-'));
  const token = 'abcdefghijklmnopqrstuvwxyz012345';
  mkdirSync(path.join(dir, 'logs'));
  writeFileSync(path.join(dir, 'logs', 'clean.log'), 'nothing here\n');
  writeFileSync(path.join(dir, 'logs', 'leaky.log'), `line one\nAuthorization: Bearer ${token}\nand again ${token}\n`);
  writeFileSync(path.join(dir, 'skipped'), token);
  const { files, findings } = scanForSecrets([path.join(dir, 'logs'), path.join(dir, 'skipped'), path.join(dir, 'absent')], { 'admin-token': token, short: 'abc' }, (f) => f.endsWith('skipped'));
  assert.equal(files, 2);
  assert.deepEqual(findings, [
    { file: path.join(dir, 'logs', 'leaky.log'), line: 2, secret: 'admin-token' },
    { file: path.join(dir, 'logs', 'leaky.log'), line: 3, secret: 'admin-token' },
  ]);
  assert.ok(!JSON.stringify(findings).includes(token));
});

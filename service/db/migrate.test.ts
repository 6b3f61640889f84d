import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMigrations } from './migrate.ts';
import { MIGRATIONS_DIR } from './paths.ts';

// How the server runs these files (whole, as multi-statement queries) is tested against
// MariaDB in tests/service/migrations.test.ts.

const withoutComments = (sql: string) => sql.replace(/^\s*--.*$/gm, '').trim();

test("the service's migrations are numbered without gaps and each holds SQL", () => {
  const ms = loadMigrations(MIGRATIONS_DIR);
  assert.ok(ms.length >= 7);
  ms.forEach((m, i) => {
    assert.equal(m.version, i + 1, `${m.name} is number ${i + 1}`);
    assert.ok(withoutComments(m.sql).length > 0, `${m.name} has statements`);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMigrations, splitStatements } from './migrate.ts';
import { MIGRATIONS_DIR } from './paths.ts';

test('statements split on semicolons at line ends; comments dropped', () => {
  assert.deepEqual(splitStatements('-- a comment\nCREATE TABLE a (x INT);\n\nCREATE TABLE b (y INT);\n'), ['CREATE TABLE a (x INT)', 'CREATE TABLE b (y INT)']);
  assert.deepEqual(splitStatements("INSERT INTO t VALUES ('a;b');"), ["INSERT INTO t VALUES ('a;b')"]);
});

test("the service's migrations are numbered without gaps and each holds SQL", () => {
  const ms = loadMigrations(MIGRATIONS_DIR);
  assert.ok(ms.length >= 7);
  ms.forEach((m, i) => {
    assert.equal(m.version, i + 1, `${m.name} is number ${i + 1}`);
    assert.ok(splitStatements(m.sql).length > 0, `${m.name} has statements`);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashHoldSecret, holdSecretMatches, newHoldSecret } from './hold-secret.ts';

test('a new hold secret is 32 random bytes in base64url, and the row keeps only its SHA-256 hex', () => {
  const a = newHoldSecret();
  const b = newHoldSecret();
  assert.match(a.secret, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(a.secret, 'base64url').length, 32);
  assert.notEqual(a.secret, b.secret);
  assert.match(a.hash, /^[0-9a-f]{64}$/);
  assert.equal(a.hash, hashHoldSecret(a.secret));
  assert.ok(!a.hash.includes(a.secret));
});

test('only the secret itself matches its hash; missing, wrong, another hold’s, or no stored hash never do', () => {
  const { secret, hash } = newHoldSecret();
  const other = newHoldSecret();
  assert.equal(holdSecretMatches(secret, hash), true);
  assert.equal(holdSecretMatches(undefined, hash), false);
  assert.equal(holdSecretMatches('', hash), false);
  assert.equal(holdSecretMatches(other.secret, hash), false);
  assert.equal(holdSecretMatches(`${secret}x`, hash), false);
  assert.equal(holdSecretMatches(hash, hash), false, 'the hash is not the secret');
  assert.equal(holdSecretMatches(secret, null), false, 'a hold made before migration 009');
  assert.equal(holdSecretMatches(secret, 'not-hex'), false);
});

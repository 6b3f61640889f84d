import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// The hold secret (issue #10, item 6): proof that a request comes from whoever held the
// seat. POST /holds answers it once; the database keeps only its SHA-256 (holds.secret_hash),
// so neither a database copy nor a log line can be replayed as the secret. 32 random bytes
// are beyond guessing, so an unsalted fast hash is enough (it is not a password).

const SECRET_BYTES = 32;

/** A new secret (base64url, 43 characters) and the hash the hold row stores. */
export function newHoldSecret(): { secret: string; hash: string } {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { secret, hash: hashHoldSecret(secret) };
}

/** SHA-256 hex of the secret as the client sends it (its base64url text). */
export function hashHoldSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Whether `presented` is the secret whose hash is `storedHash`. Both sides are compared as
 * SHA-256 digests with timingSafeEqual, so the time taken says nothing about how much of a
 * guess was right. A missing secret or a hold without a hash (made before migration 009)
 * never matches.
 */
export function holdSecretMatches(presented: string | undefined, storedHash: string | null | undefined): boolean {
  if (typeof presented !== 'string' || typeof storedHash !== 'string' || !/^[0-9a-f]{64}$/.test(storedHash)) return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = Buffer.from(storedHash, 'hex');
  return timingSafeEqual(a, b);
}

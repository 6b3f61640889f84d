import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { StackPaths } from '../paths.ts';

// The stack's secrets, made on the first `stack up` and kept under <stack>/credentials
// (the folder 0700, every file 0600, written with O_EXCL so an existing secret is never
// overwritten): what a production deployment gets from its secret store. Nothing here
// logs or returns a secret's value except readCredential, for the client that needs it.

export const CREDENTIALS = {
  /** The service instances' admin listener bearer token (service/http/routes/admin.ts). */
  adminToken: 'admin-token',
} as const;

export type CredentialName = (typeof CREDENTIALS)[keyof typeof CREDENTIALS];

/** What each credential is for and how a client presents it (`ticketctl stack credentials`). */
export const CREDENTIAL_USES: Record<CredentialName, { what: string; usedBy: string; howToUse: string }> = {
  'admin-token': {
    what: "bearer token of the service instances' admin listeners (PORT + 100, loopback)",
    usedBy: 'each instance (ADMIN_TOKEN_FILE); ticketctl breaker, consumers profile and the drills, from the context',
    howToUse: 'send `Authorization: Bearer <token>` to http://127.0.0.1:3101/admin/state (3101..3109); a context elsewhere: admin.token {"file": ...} or {"env": ...}',
  },
};

/** A random secret: 32 bytes, base64url (no character a shell, URL or config file would mangle). */
export const newSecret = () => randomBytes(32).toString('base64url');

/** Makes every missing credential; returns the names it made. */
export function ensureCredentials(paths: StackPaths): string[] {
  mkdirSync(paths.credentials, { recursive: true, mode: 0o700 });
  chmodSync(paths.credentials, 0o700);
  const made: string[] = [];
  for (const name of Object.values(CREDENTIALS)) {
    const file = paths.credentialFile(name);
    if (existsSync(file)) continue;
    writeFileSync(file, `${newSecret()}\n`, { mode: 0o600, flag: 'wx' });
    made.push(name);
  }
  return made;
}

/** A credential's value (trimmed); undefined when the stack has not made it. */
export function readCredential(paths: StackPaths, name: CredentialName): string | undefined {
  try {
    return readFileSync(paths.credentialFile(name), 'utf8').trim();
  } catch {
    return undefined;
  }
}

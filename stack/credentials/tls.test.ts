import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TLS_FILES, ensureStackTls } from './tls.ts';

// The stack's CA and server certificate as the servers and clients will take them: made
// with the real openssl, then read back with Node's own X.509 parser.

test('ensureStackTls: a CA and a server certificate it signed, for 127.0.0.1 and localhost, keys unencrypted and 0600; made once', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stack-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(await ensureStackTls(dir), true);
  const read = (name: string) => readFileSync(path.join(dir, name));
  const ca = new X509Certificate(read(TLS_FILES.caCert));
  const server = new X509Certificate(read(TLS_FILES.serverCert));
  assert.equal(ca.ca, true);
  assert.equal(server.ca, false);
  assert.ok(server.verify(ca.publicKey), 'the server certificate is signed by the CA');
  assert.ok(server.checkIssued(ca));
  assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(server.checkHost('localhost'), 'localhost');
  assert.equal(server.checkHost('example.com'), undefined, 'no other name');
  assert.equal(server.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  // Unencrypted PKCS#8, as Kafka's PEM keystore, Redis and MariaDB read it.
  for (const key of [TLS_FILES.serverKey, TLS_FILES.caKey]) {
    const pem = read(key).toString();
    assert.match(pem, /^-----BEGIN PRIVATE KEY-----/);
    createPrivateKey(pem);
  }
  const keystore = read(TLS_FILES.serverKeystore).toString();
  assert.ok(keystore.includes('BEGIN PRIVATE KEY') && keystore.includes('BEGIN CERTIFICATE'), 'the keystore holds key and certificate');
  for (const name of Object.values(TLS_FILES)) assert.equal(statSync(path.join(dir, name)).mode & 0o777, 0o600, `${name} is 0600`);
  const before = read(TLS_FILES.caCert).toString();
  assert.equal(await ensureStackTls(dir), false, 'a second call makes nothing');
  assert.equal(read(TLS_FILES.caCert).toString(), before, 'and replaces nothing');
});

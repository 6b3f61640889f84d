import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeCa, makeKeyAndRequest, signRequest } from '../exec/openssl.ts';

// The stack's own certificate authority and the one server certificate its servers share
// (issue 12.1; settings verified in docs/secure-stack-findings.md, section 1): ECDSA P-256,
// which Kafka's Java, Redis, MariaDB and Node all take; keys unencrypted PKCS#8, mode 0600
// (Java 17 cannot read OpenSSL 3's default encrypted keys); SAN IP:127.0.0.1 and
// DNS:localhost, because every server is reached on loopback (the compose pod too) and
// mysql2 checks the name "localhost" even for an IP; serverAuth and clientAuth, since the
// brokers and Redis nodes present it to each other as clients. Made once; never replaced.

export const TLS_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
  /** Key and certificate in one file: Kafka's PEM keystore. */
  serverKeystore: 'server-keystore.pem',
} as const;

const CA_DAYS = 3650;
const SERVER_DAYS = 825;
const SERVER_EXTENSIONS = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth,clientAuth',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
  'subjectAltName=IP:127.0.0.1,DNS:localhost',
];

/** Makes the CA and the server certificate in `dir` unless they are there; returns whether it made them. */
export async function ensureStackTls(dir: string): Promise<boolean> {
  const file = (name: string) => path.join(dir, name);
  if (Object.values(TLS_FILES).every((f) => existsSync(file(f)))) return false;
  const work = mkdtempSync(path.join(dir, '.tls-'));
  try {
    const w = (name: string) => path.join(work, name);
    await makeCa(w(TLS_FILES.caKey), w(TLS_FILES.caCert), '/CN=ticketing-stack-ca', CA_DAYS);
    await makeKeyAndRequest(w(TLS_FILES.serverKey), w('server.csr'), '/CN=localhost');
    writeFileSync(w('server.ext'), `${SERVER_EXTENSIONS.join('\n')}\n`);
    await signRequest(w('server.csr'), w(TLS_FILES.caCert), w(TLS_FILES.caKey), w('server.ext'), w(TLS_FILES.serverCert), SERVER_DAYS);
    writeFileSync(w(TLS_FILES.serverKeystore), readFileSync(w(TLS_FILES.serverKey), 'utf8') + readFileSync(w(TLS_FILES.serverCert), 'utf8'));
    // All or nothing: only a complete set moves into place, each file 0600.
    for (const name of Object.values(TLS_FILES)) {
      chmodSync(w(name), 0o600);
      writeFileSync(file(name), readFileSync(w(name)), { mode: 0o600 });
    }
    return true;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

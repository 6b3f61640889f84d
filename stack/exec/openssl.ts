import { execa } from 'execa';
import { MissingToolError } from '../../lib/index.ts';
import { findExecutable } from './which.ts';

// The openssl program, for the stack's CA and certificates (stack/credentials/tls.ts):
// one exported verb per kind of call. Node's crypto can read certificates but not issue
// them, and a library for that (node-forge) would be a second X.509 implementation to
// trust; openssl is on every machine of this kind and is what the servers themselves use.

function openssl(): string {
  const bin = findExecutable('openssl');
  if (!bin) throw new MissingToolError('openssl', 'Install it (`apt-get install openssl`): the stack makes its certificates with it.');
  return bin;
}

/** A self-signed ECDSA P-256 CA: key (unencrypted PKCS#8) and certificate. */
export async function makeCa(keyFile: string, certFile: string, subject: string, days: number): Promise<void> {
  await execa(openssl(), [
    'req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', String(days), '-subj', subject,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash',
  ]); // prettier-ignore
}

/** A key and certificate request for `subject`. */
export async function makeKeyAndRequest(keyFile: string, csrFile: string, subject: string): Promise<void> {
  await execa(openssl(), ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', csrFile, '-subj', subject]);
}

/** Signs a request with the CA, with the X.509 extensions in `extFile`. */
export async function signRequest(csrFile: string, caCert: string, caKey: string, extFile: string, certFile: string, days: number): Promise<void> {
  await execa(openssl(), ['x509', '-req', '-in', csrFile, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-days', String(days), '-sha256', '-extfile', extFile, '-out', certFile]);
}

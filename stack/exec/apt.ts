import { execa } from 'execa';
import { MissingToolError, errorMessage } from '../../lib/index.ts';
import { findExecutable } from './which.ts';

// Debian's package manager: the only way the stack installs Redis and MariaDB.

/** Installs Debian packages non-interactively, as root or through passwordless sudo. */
export async function aptInstall(packages: string[], neededFor: string): Promise<void> {
  const isRoot = process.getuid?.() === 0;
  const sudo = isRoot ? undefined : findExecutable('sudo');
  const aptGet = findExecutable('apt-get');
  const manual = `sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`;
  if (!aptGet) throw new MissingToolError(neededFor, `This machine has no apt-get. Install ${packages.join(', ')} by hand, then run \`ticketctl stack up\` again.`);
  if (!isRoot && !sudo) throw new MissingToolError(neededFor, `Installing needs root. Run: ${manual}`);
  const run = (args: string[]) => (isRoot ? execa(aptGet, args, { env: { DEBIAN_FRONTEND: 'noninteractive' } }) : execa(sudo!, ['-n', aptGet, ...args], { env: { DEBIAN_FRONTEND: 'noninteractive' } }));
  try {
    await run(['update', '-qq']);
    await run(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
  } catch (err) {
    throw new MissingToolError(neededFor, `apt-get could not install ${packages.join(' ')} (${errorMessage(err).split('\n')[0]}). Run: ${manual}`, err);
  }
}

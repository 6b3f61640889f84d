import { execa } from 'execa';
import { MissingToolError, errorMessage } from '../../lib/index.ts';
import { findExecutable } from './which.ts';

/** `go install module@version` into a project-local bin folder. */
export async function goInstall(moduleAtVersion: string, gobin: string, ldflags?: string): Promise<void> {
  const go = findExecutable('go', ['/usr/local/go/bin']);
  if (!go) throw new MissingToolError('go', 'Toxiproxy and Docker Compose are built from source with Go. Install Go 1.22+ and run the command again.');
  try {
    await execa(go, ['install', ...(ldflags ? [`-ldflags=${ldflags}`] : []), moduleAtVersion], { env: { GOBIN: gobin, CGO_ENABLED: '0' } });
  } catch (err) {
    throw new MissingToolError(
      'go',
      `\`go install ${moduleAtVersion}\` failed (${errorMessage(err).split('\n').slice(-2).join(' ')}). Check that the Go module proxy is reachable, then run \`ticketctl stack up\` again.`,
      err,
    );
  }
}

import { UsageError } from '../../lib/index.ts';

// Where a Docker engine answers, as every Docker client spells it: DOCKER_HOST
// (`unix:///path/to.sock` or `tcp://host:port`), else the default socket. Pure.

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export type DockerEndpoint = { kind: 'unix'; socketPath: string } | { kind: 'tcp'; host: string; port: number };

/** The endpoint a DOCKER_HOST value names; exit 2 with the accepted forms when it names none. */
export function parseDockerHost(value: string): DockerEndpoint {
  const unix = /^unix:\/\/(\/.+)$/.exec(value);
  if (unix) return { kind: 'unix', socketPath: unix[1]! };
  const tcp = /^tcp:\/\/([^:/\s]+):(\d{1,5})\/?$/.exec(value);
  if (tcp && Number(tcp[2]) > 0 && Number(tcp[2]) < 65536) return { kind: 'tcp', host: tcp[1]!, port: Number(tcp[2]) };
  throw new UsageError(
    `DOCKER_HOST="${value}" is not a Docker engine address.`,
    'Use unix:///path/to/docker.sock or tcp://host:port, or unset it to use the default socket or let ticketctl start its own engine.',
  );
}

/** The DOCKER_HOST value for an endpoint (what child processes such as `docker compose` are given). */
export function dockerHostValue(e: DockerEndpoint): string {
  return e.kind === 'unix' ? `unix://${e.socketPath}` : `tcp://${e.host}:${e.port}`;
}

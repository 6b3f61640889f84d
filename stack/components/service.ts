import path from 'node:path';
import type { Topology } from '../../contracts/index.ts';
import { httpHealthProbe, NODE_ARGS } from './node-http.ts';
import type { Component } from './types.ts';
import { CREDENTIALS, ensureCredentials } from '../credentials/index.ts';
import { REPO_ROOT } from '../../contracts/index.ts';

// One instance of the reservation/payment service (service/main.ts): HTTP and the saga
// consumers in one process, talking to every dependency through its proxy.
//
// Settings reach instances through the environment: any TICKETING_<NAME> variable set
// when `stack up` runs is passed on as <NAME> (e.g. TICKETING_BREAKER_OPEN_MS=5000).

export const SERVICE_ENV_PREFIX = 'TICKETING_';

export function serviceEnvOverrides(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith(SERVICE_ENV_PREFIX) && v !== undefined) out[k.slice(SERVICE_ENV_PREFIX.length)] = v;
  return out;
}

export function createServiceComponent(t: Topology, n: number): Component {
  const port = t.servicePort(n);
  const adminPort = t.serviceAdminPort(n);
  const name = `service-${n}`;
  return {
    name,
    group: 'service',
    endpoint: `${t.host}:${port}`,
    ports: [
      { port, purpose: name },
      { port: adminPort, purpose: `${name} admin` },
    ],
    async prepare(ctx) {
      ensureCredentials(ctx.paths);
    },
    launch(ctx) {
      return {
        file: process.execPath,
        args: [...NODE_ARGS, path.join(REPO_ROOT, 'service', 'main.ts')],
        env: {
          ...serviceEnvOverrides(process.env),
          PORT: String(port),
          HOST: t.host,
          INSTANCE_ID: name,
          TICKETCTL_PORT_OFFSET: String(t.portOffset),
          // The admin listener, on loopback, behind the stack's token (stack/credentials).
          ADMIN_PORT: String(adminPort),
          ADMIN_HOST: t.host,
          ADMIN_TOKEN_FILE: ctx.paths.credentialFile(CREDENTIALS.adminToken),
        },
      };
    },
    probe: httpHealthProbe(`http://${t.host}:${port}/health`),
    startTimeoutMs: 90_000,
    stopTimeoutMs: 30_000,
  };
}

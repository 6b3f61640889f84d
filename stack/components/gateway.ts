import path from 'node:path';
import type { Topology } from '../../contracts/index.ts';
import { httpHealthProbe, NODE_ARGS } from './node-http.ts';
import type { Component } from './types.ts';
import { REPO_ROOT, DATABASES } from '../../contracts/index.ts';

// The payment gateway stand-in (service/gateway): its own process, so Toxiproxy sits
// between it and the service and a drill can cut or slow it like a real processor.

export function createGatewayComponent(t: Topology): Component {
  return {
    name: 'gateway',
    group: 'gateway',
    endpoint: `${t.host}:${t.gateway.proxy}`,
    ports: [{ port: t.gateway.port, purpose: 'payment gateway' }],
    async prepare() {},
    launch() {
      return {
        file: process.execPath,
        args: [...NODE_ARGS, path.join(REPO_ROOT, 'service', 'gateway', 'main.ts')],
        env: {
          GATEWAY_HOST: t.host,
          GATEWAY_PORT: String(t.gateway.port),
          GATEWAY_DB_HOST: t.host,
          GATEWAY_DB_PORT: String(t.mariadb.proxy),
          GATEWAY_DB_USER: DATABASES.gateway.user,
          GATEWAY_DB_PASSWORD: DATABASES.gateway.password,
          GATEWAY_DB_NAME: DATABASES.gateway.database,
        },
      };
    },
    probe: httpHealthProbe(`http://${t.host}:${t.gateway.port}/health`),
    probeProxy: httpHealthProbe(`http://${t.host}:${t.gateway.proxy}/health`),
    startTimeoutMs: 30_000,
    stopTimeoutMs: 15_000,
  };
}

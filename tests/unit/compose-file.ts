// docker-compose.yml and stack/compose/toxiproxy.json, parsed once, with the small readers the
// compose tests share.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createTopology } from '../../contracts/topology.ts';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

export type Scalar = string | number | boolean | null;
export type PortEntry = number | string | { host_ip?: string; published?: string | number; target?: string | number };
export interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  hostname?: string;
  network_mode?: string;
  command?: string | string[] | null;
  environment?: Record<string, Scalar> | string[];
  ports?: PortEntry[];
  volumes?: Array<string | { type: string; source?: string; target?: string }>;
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
}
export interface ComposeFile {
  services: Record<string, Service>;
}
export interface ToxiproxyEntry {
  name: string;
  listen: string;
  upstream: string;
  enabled?: boolean;
}

// Compose resolves `<<` merge keys (YAML 1.1) before it validates, and so must we.
export const rawCompose: unknown = parse(read('docker-compose.yml'), { merge: true });
// Only trusted as ComposeFile once the schema test below has passed on it.
export const compose = rawCompose as ComposeFile;
export const services = compose.services;
export const toxiproxyJson = JSON.parse(read('stack/compose/toxiproxy.json')) as ToxiproxyEntry[];
export const topology = createTopology();

/** Compose's variable interpolation: `$$` is a literal `$`; `${X:-d}` / `${X-d}` fall back to d. */
export function interpolate(value: string, env: Record<string, string> = {}): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (match, name?: string, op?: string, fallback?: string) => {
    if (match === '$$') return '$';
    const set = env[name!];
    if (op === ':-') return set ? set : (fallback ?? '');
    if (op === '-') return set ?? fallback ?? '';
    return set ?? '';
  });
}

export function envOf(name: string, env: Record<string, string> = {}): Record<string, string> {
  const raw = services[name]?.environment ?? {};
  const entries = Array.isArray(raw)
    ? raw.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const)
    : Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)] as const);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v, env)]));
}

export function need(env: Record<string, string>, key: string): string {
  const value = env[key];
  assert.ok(value !== undefined, `${key} is not set`);
  return value;
}

/** `CLIENT://host:1,INTERNAL://:2` -> { CLIENT: { host, port }, ... } */
export function listeners(spec: string): Record<string, { host: string; port: number }> {
  return Object.fromEntries(
    spec.split(',').map((entry) => {
      const m = /^([A-Z_]+):\/\/([^:]*):(\d+)$/.exec(entry.trim());
      assert.ok(m, `cannot parse listener "${entry}"`);
      return [m[1]!, { host: m[2]!, port: Number(m[3]) }];
    }),
  );
}

export function hostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

export function commandArgs(name: string): string[] {
  const command = services[name]?.command;
  assert.ok(Array.isArray(command), `${name} should give its command as a list`);
  return command;
}

/** The port a service accepts connections on, from its own configuration. */
export function listenPortOf(name: string): number {
  if (/^kafka-\d+$/.test(name)) return listeners(need(envOf(name), 'KAFKA_LISTENERS')).CLIENT!.port;
  if (name === 'gateway') return Number(need(envOf(name), 'GATEWAY_PORT'));
  if (/^service-\d+$/.test(name)) return Number(need(envOf(name), 'PORT'));
  const args = commandArgs(name);
  const flag = args.indexOf('--port');
  if (flag >= 0) return Number(args[flag + 1]);
  const joined = args.find((a) => a.startsWith('--port='));
  assert.ok(joined, `${name} sets no --port`);
  return Number(joined.slice('--port='.length));
}

export function dependsOn(name: string): Record<string, string> {
  const deps = services[name]?.depends_on ?? {};
  return Array.isArray(deps) ? Object.fromEntries(deps.map((d) => [d, 'service_started'])) : Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition]));
}

/** Every published port as { hostIp, published, target }; short and long syntax. */
export function publishedPorts(name: string): Array<{ hostIp: string; published: number; target: number }> {
  return (services[name]?.ports ?? []).map((entry) => {
    if (typeof entry === 'object') return { hostIp: entry.host_ip ?? '', published: Number(entry.published), target: Number(entry.target) };
    const parts = String(entry)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    if (parts.length === 3) return { hostIp: parts[0]!, published: Number(parts[1]), target: Number(parts[2]) };
    return { hostIp: '', published: Number(parts.at(-2) ?? NaN), target: Number(parts.at(-1)) };
  });
}

export const kafkaServices = Object.keys(services)
  .filter((name) => /^kafka-\d+$/.test(name))
  .sort();
/** Services that run in another's network namespace (`network_mode: service:<owner>`). */
export function namespaceGuests(owner: string): string[] {
  return Object.keys(services).filter((name) => services[name]?.network_mode === `service:${owner}`);
}

/**
 * The compose service a toxiproxy.json upstream reaches: a service name, or for a loopback
 * address the one service sharing Toxiproxy's network namespace that listens on that port.
 */
export function upstreamService(upstream: string): string | undefined {
  const { host, port } = hostPort(upstream);
  if (host !== '127.0.0.1') return services[host] ? host : undefined;
  const guests = namespaceGuests('toxiproxy').filter((name) => listenPortOf(name) === port);
  assert.ok(guests.length <= 1, `${guests.join(', ')} all listen on ${port} in Toxiproxy's namespace`);
  return guests[0];
}

export const appServices = Object.keys(services)
  .filter((name) => /^service-\d+$/.test(name))
  .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
export const sentinelServices = Object.keys(services)
  .filter((name) => /^redis-sentinel-\d+$/.test(name))
  .sort();

// docker-compose.yml and stack/compose/toxiproxy.json, parsed once, with the small readers the
// compose tests share. The stack is one network namespace (the `netns` service, like a
// Kubernetes pod), so every address is 127.0.0.1 and a port names its one owner.
// COMPOSE_ONLY_PROXIES below is the one thing the compose file has that the local stack has not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ADMIN_PORT_OFFSET, createTopology, MAX_SERVICE_INSTANCES } from '../../contracts/topology.ts';
import { allComponents } from '../../stack/components/index.ts';
import type { RunContext } from '../../stack/components/types.ts';
import { createStackPaths } from '../../stack/paths.ts';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

export type Scalar = string | number | boolean | null;
export type PortEntry = number | string | { host_ip?: string; published?: string | number; target?: string | number };
export interface Dependency {
  condition: string;
  restart?: boolean;
}
export interface Build {
  context?: string;
  dockerfile?: string;
  args?: Record<string, Scalar> | string[];
  secrets?: Array<string | { source: string }>;
}
export interface Service {
  image?: string;
  build?: string | Build;
  hostname?: string;
  network_mode?: string;
  profiles?: string[];
  command?: string | string[] | null;
  entrypoint?: string | string[];
  user?: string;
  group_add?: Array<string | number>;
  environment?: Record<string, Scalar> | string[];
  ports?: PortEntry[];
  volumes?: Array<string | { type: string; source?: string; target?: string }>;
  depends_on?: string[] | Record<string, Dependency>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
}
export interface ComposeFile {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string; environment?: string }>;
}
export interface ToxiproxyEntry {
  name: string;
  listen: string;
  upstream: string;
  enabled?: boolean;
}

// Compose resolves `<<` merge keys (YAML 1.1) before it validates, and so must we; the file
// leans on anchors more than the yaml package's guard against alias bombs (100) allows.
export const rawCompose: unknown = parse(read('docker-compose.yml'), { merge: true, maxAliasCount: 1000 });
// Only trusted as ComposeFile once the schema test has passed on it.
export const compose = rawCompose as ComposeFile;
export const services = compose.services;
export const toxiproxyJson = JSON.parse(read('stack/compose/toxiproxy.json')) as ToxiproxyEntry[];
export const topology = createTopology();
/** Every component the local stack can run (all service instances), by name. */
export const components = allComponents(topology, MAX_SERVICE_INSTANCES);

/**
 * The one deliberate difference from the local stack, named here only: a Toxiproxy proxy that
 * toxiproxy.json has and createTopology().proxies has not. The payment gateway stand-in
 * listens on the pod's loopback only (service/gateway/config.ts refuses any other
 * GATEWAY_HOST), which no published port reaches; `gateway-admin` relays the gateway's own
 * port, and netns publishes the relay as that port (publishedAs). So the host finds the
 * gateway's knobs and /health on 127.0.0.1:18080 exactly as on the local stack, also while a
 * drill cuts the faultable `gateway` proxy (18081). Not being a topology proxy, no drill can
 * name it. Any other extra proxy, or port published under another number, fails the tests.
 */
export const COMPOSE_ONLY_PROXIES: ReadonlyArray<ToxiproxyEntry & { publishedAs: number }> = [{ name: 'gateway-admin', listen: '0.0.0.0:18090', upstream: '127.0.0.1:18080', publishedAs: 18080 }];
/** COMPOSE_ONLY_PROXIES as toxiproxy.json spells them. */
export const composeOnlyEntries: ToxiproxyEntry[] = COMPOSE_ONLY_PROXIES.map(({ name, listen, upstream }) => ({ name, listen, upstream, enabled: true }));
/** The pod ports the compose-only proxies listen on. */
export const composeOnlyPorts: number[] = COMPOSE_ONLY_PROXIES.map((p) => hostPort(p.listen).port);
/** The host port netns must publish a pod port as: its own number, but a compose-only relay's publishedAs. */
export const expectedHostPort = (target: number): number => COMPOSE_ONLY_PROXIES.find((p) => hostPort(p.listen).port === target)?.publishedAs ?? target;

/** What the local stack would run, without running it: launch() only builds a command line. */
export function localCtx(dir = path.join(os.tmpdir(), 'ticketing-compose-test')): RunContext {
  const tools = { redisServer: 'redis-server', redisSentinel: 'redis-sentinel', mariadbd: 'mariadbd' };
  return { paths: createStackPaths(dir), tools } as unknown as RunContext;
}

/** The service holding the network namespace, and everything that runs inside it. */
export const POD = 'netns';
/** The one-shot copier of the stack's secrets into the `credentials` volume: no network, so no pod member. */
export const CREDENTIALS_INIT = 'credentials';
export const podMembers = Object.keys(services).filter((name) => name !== POD && name !== CREDENTIALS_INIT);

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

/** A `KEY: value` map or `KEY=value` list, interpolated. */
export function mapOf(raw: Record<string, Scalar> | string[] | undefined, env: Record<string, string> = {}): Record<string, string> {
  const entries = Array.isArray(raw)
    ? raw.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const)
    : Object.entries(raw ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)] as const);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v, env)]));
}

export const envOf = (name: string, env: Record<string, string> = {}) => mapOf(services[name]?.environment, env);

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

/** `--key v1 v2 --flag=v` -> { key: [v1, v2], flag: [v] }, as redis-server and mariadbd read them. */
export function options(args: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let key: string | undefined;
  for (const arg of args) {
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (m) {
      key = m[1]!;
      out[key] = m[2] === undefined ? [] : [m[2]];
    } else if (key) out[key]!.push(arg);
  }
  return out;
}

/** The sentinel.conf a Sentinel's command writes, as its shell would expand it. */
export function sentinelConf(name: string): string[] {
  const script = interpolate(commandArgs(name).at(-1)!);
  const m = /cat > (\S+) <<EOF\n([\s\S]*?)\nEOF\n\s*exec redis-server (\S+) --sentinel/.exec(script);
  assert.ok(m && m[1] === m[3], `${name} does not write a sentinel.conf and run Sentinel on it`);
  const env = envOf(name);
  return m[2]!.split('\n').map((line) => line.trim().replace(/\$\{(\w+)\}/g, (_, key: string) => need(env, key)));
}

const ALL = '0.0.0.0';
/** Every address a service listens on, from its own configuration; a program's default is every interface. */
export function listensOn(name: string): Array<{ host: string; port: number }> {
  const env = envOf(name);
  if (/^kafka-\d+$/.test(name)) return Object.values(listeners(need(env, 'KAFKA_LISTENERS')));
  if (/^sentinel-\d+$/.test(name)) {
    const conf = sentinelConf(name);
    const value = (key: string) => conf.find((l) => l.startsWith(`${key} `))?.slice(key.length + 1);
    return [{ host: value('bind') ?? ALL, port: Number(value('port')) }];
  }
  if (name === 'gateway') return [{ host: need(env, 'GATEWAY_HOST'), port: Number(need(env, 'GATEWAY_PORT')) }];
  if (/^service-\d+$/.test(name)) {
    const port = Number(need(env, 'PORT'));
    return [
      { host: need(env, 'HOST'), port },
      { host: need(env, 'ADMIN_HOST'), port: env.ADMIN_PORT ? Number(env.ADMIN_PORT) : port + ADMIN_PORT_OFFSET },
    ];
  }
  if (name === 'toxiproxy') {
    const args = commandArgs(name);
    return [{ host: args[args.indexOf('-host') + 1]!, port: Number(args[args.indexOf('-port') + 1]) }, ...toxiproxyJson.map((p) => hostPort(p.listen))];
  }
  if (name === POD || name === 'kafka-init') return [];
  const o = options(commandArgs(name));
  assert.ok(o.port?.length === 1, `${name} sets no --port`);
  return [{ host: (o.bind ?? o['bind-address'])?.[0] ?? ALL, port: Number(o.port[0]) }];
}

/** The port a service accepts its clients on (a broker's CLIENT listener). */
export const listenPortOf = (name: string) => listensOn(name)[0]!.port;

/**
 * depends_on as Compose resolves it: each entry's condition, plus the implicit
 * `service_started` (restart: true) on the owner of a `network_mode: service:<owner>`
 * (compose-go's loader/normalize.go adds it when the file does not).
 */
export function dependencies(name: string): Record<string, Dependency> {
  const deps = services[name]?.depends_on ?? {};
  const declared: Record<string, Dependency> = Array.isArray(deps) ? Object.fromEntries(deps.map((d) => [d, { condition: 'service_started' }])) : { ...deps };
  const owner = /^service:(.+)$/.exec(services[name]?.network_mode ?? '')?.[1];
  if (owner && !declared[owner]) declared[owner] = { condition: 'service_started', restart: true };
  return declared;
}

export const dependsOn = (name: string) => Object.fromEntries(Object.entries(dependencies(name)).map(([k, v]) => [k, v.condition]));

/** `19091-19093` -> [19091, 19092, 19093]; '' -> []. */
function portRange(spec: string | number | undefined): number[] {
  if (spec === undefined || spec === '') return [];
  const [from, to = from] = String(spec).split('-').map(Number) as [number, number?];
  assert.ok(Number.isInteger(from) && Number.isInteger(to) && to >= from, `cannot read port range "${spec}"`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

type PortSpec = [hostIp: string, published: string | number | undefined, target: string | number | undefined];
/** A short-syntax `[[ip:]published:]target[/proto]` or a long-syntax entry, unexpanded. */
function portSpec(entry: PortEntry): PortSpec {
  if (typeof entry === 'object') return [entry.host_ip ?? '', entry.published, entry.target];
  const parts = String(entry)
    .replace(/\/(tcp|udp)$/, '')
    .split(':');
  return parts.length === 3 ? [parts[0]!, parts[1], parts[2]] : ['', parts.at(-2), parts.at(-1)];
}

/** Every published port as { hostIp, published, target }, ranges expanded; short and long syntax. */
export function publishedPorts(name: string): Array<{ hostIp: string; published: number; target: number }> {
  return (services[name]?.ports ?? []).flatMap((entry) => {
    const [hostIp, published, target] = portSpec(entry);
    const targets = portRange(target);
    const hosts = portRange(published);
    assert.ok(hosts.length === 0 || hosts.length === targets.length, `${name} publishes ${String(published)} onto ${String(target)}: not one host port per port`);
    return targets.map((t, i) => ({ hostIp, published: hosts[i] ?? NaN, target: t }));
  });
}

/** The pod member that listens on a port; there must be at most one. */
let portOwners: Array<{ name: string; port: number }> | undefined;
export function ownerOf(port: number): string | undefined {
  portOwners ??= podMembers.flatMap((name) => listensOn(name).map((l) => ({ name, port: l.port })));
  const owners = portOwners.filter((o) => o.port === port).map((o) => o.name);
  assert.ok(owners.length <= 1, `${owners.join(', ')} all listen on ${port} in one network namespace`);
  return owners[0];
}

/** The compose service a toxiproxy.json upstream reaches: the pod member on that loopback port. */
export function upstreamService(upstream: string): string | undefined {
  const { host, port } = hostPort(upstream);
  return host === '127.0.0.1' ? ownerOf(port) : undefined;
}

const numbered = (re: RegExp) =>
  Object.keys(services)
    .filter((name) => re.test(name))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
export const kafkaServices = numbered(/^kafka-\d+$/);
export const appServices = numbered(/^service-\d+$/);
export const sentinelServices = numbered(/^sentinel-\d+$/);

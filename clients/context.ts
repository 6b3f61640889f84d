import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../lib/index.ts';
import { REDIS_MASTER_NAME, createTopology, REPO_ROOT, DATABASES, TICKETCTL_DB_ACCOUNTS, type TicketctlDbRole } from '../contracts/index.ts';
import { createStackPaths, readServiceInstances, CREDENTIALS, DEFAULT_COMPOSE_PROJECT, type PlatformSpec } from '../stack/index.ts';
import { fileSecret, secretOf, type Secret } from './secret.ts';
import { readConfig } from './context-env.ts';
import { withComposeInstances } from './context-instances.ts';
import { readConfigFile, ConfigError, type ConfigFile, type ContextEntry } from './context-file.ts';

// Named contexts: which systems a command talks to. One JSON file holds them
// ($TICKETCTL_CONFIG, default ~/.config/ticketctl/config.json); without it there is only
// the built-in `local`, derived from the local stack's topology.
//
// Built-in contexts: `local` (the stack's processes on this machine) and `compose` (the
// repository's docker-compose.yml, project `ticketing`: the same ports, so the same
// endpoints). Which context: built-in `local` < the file's `defaultContext` < TICKETCTL_CONTEXT <
// `--context`. The `local` stack folder and ports: defaults < the file's
// `contexts.local.stack` < TICKETCTL_STACK_DIR / TICKETCTL_PORT_OFFSET.

export interface Context {
  name: string;
  /** `built-in`, or the config file that defines it. */
  source: string;
  /** Destructive commands demand the context's name typed back. */
  protected: boolean;
  /** Chaos drills may inject faults here. */
  allowDrills: boolean;
  /** Only for a stack run by `ticketctl stack` on this machine: its folder and port offset. */
  stack: { dir: string; portOffset: number } | null;
  /** What runs the stack's processes (stack/platforms); null without a stack. */
  platform: PlatformSpec | null;
  /** Each broker as clients reach it; `id` is known up front only for a local stack. */
  kafka: { brokers: Array<{ id: number | null; address: string }> };
  redis: { master: string; replica: string | null; sentinels: string[]; masterName: string };
  /** The service database and ticketctl's accounts on it (contracts/databases.ts); null: the context gives none for that role. */
  mariadb: { host: string; port: number; database: string; accounts: Record<TicketctlDbRole, DbAccount | null> };
  gatewayUrl: string;
  serviceUrls: string[];
  /** The instances' admin listeners (breaker, retry mode, consumer profile), one per instance, and their bearer token; null token: none configured. */
  serviceAdmin: { urls: string[]; token: Secret | null };
  /** null: the context has no Toxiproxy (health skips it). */
  toxiproxyUrl: string | null;
}

/** A database account: its user and where its password comes from. */
export interface DbAccount {
  user: string;
  password: Secret;
}

export interface ResolveOptions {
  /** `--context`, when typed. */
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
}

export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.TICKETCTL_CONFIG) return path.resolve(env.TICKETCTL_CONFIG);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'ticketctl', 'config.json');
}

export async function resolveContext({ flag, env }: ResolveOptions): Promise<Context> {
  const file = readConfigFile(configPath(env));
  const c = selectContext(file, flag, env);
  return withComposeInstances(c, file?.contexts[c.name]?.services !== undefined);
}

export const BUILT_IN_CONTEXTS = ['local', 'compose'];

/** Every context name: the built-ins, then the file's own. */
export const contextNames = (file: ConfigFile | undefined): string[] => [...BUILT_IN_CONTEXTS, ...Object.keys(file?.contexts ?? {}).filter((n) => !BUILT_IN_CONTEXTS.includes(n))];

/** Which context a command uses, and the rule that chose it (the one place that says so). */
export function chosenContext(file: ConfigFile | undefined, flag: string | undefined, env: NodeJS.ProcessEnv): { name: string; by: string } {
  if (flag) return { name: flag, by: '--context' };
  if (env.TICKETCTL_CONTEXT) return { name: env.TICKETCTL_CONTEXT, by: 'TICKETCTL_CONTEXT' };
  if (file?.defaultContext) return { name: file.defaultContext, by: `defaultContext in ${file.path}` };
  return { name: 'local', by: 'the built-in default' };
}

/** Pure part of `resolveContext`, for tests: the parsed file (or none), the flag and env. */
export function selectContext(file: ConfigFile | undefined, flag: string | undefined, env: NodeJS.ProcessEnv): Context {
  const { name, by } = chosenContext(file, flag, env);
  const known = contextNames(file);
  const entry = file?.contexts[name] ?? (name === 'compose' ? { platform: 'compose' as const } : undefined);
  if (name !== 'local' && !entry) {
    const from = by === '--context' ? `--context ${name}` : by === 'TICKETCTL_CONTEXT' ? `TICKETCTL_CONTEXT=${name}` : by;
    throw new UsageError(`Unknown context "${name}" (from ${from}).`, `Known contexts: ${known.join(', ')}${file ? ` (from ${file.path})` : ' (no config file; see docs/ticketctl.md, "Contexts")'}.`);
  }
  const source = file?.contexts[name] ? file.path : 'built-in';
  if (name === 'local' || entry?.stack || entry?.platform) return localContext(name, source, entry ?? {}, env, file?.path);
  return remoteContext(name, source, entry!, env);
}

function localContext(name: string, source: string, e: ContextEntry, env: NodeJS.ProcessEnv, file: string | undefined): Context {
  let dir = e.stack?.dir ? path.resolve(path.dirname(file ?? '.'), e.stack.dir) : path.join(REPO_ROOT, '.stack');
  let portOffset = e.stack?.portOffset ?? 0;
  if (name === 'local') {
    const fromEnv = readConfig(env);
    if (fromEnv.stackDir) dir = path.resolve(fromEnv.stackDir);
    if (env.TICKETCTL_PORT_OFFSET) portOffset = fromEnv.portOffset;
  }
  const t = createTopology({ portOffset });
  const h = t.host;
  const db = DATABASES.service;
  const paths = createStackPaths(dir);
  // As many instances as the stack runs now (`ticketctl consumers scale` changes it).
  const instances = readServiceInstances(paths);
  const derived: Context = {
    name,
    source,
    protected: e.protected ?? false,
    allowDrills: e.allowDrills ?? true,
    stack: { dir, portOffset },
    platform: platformOf(e, file),
    kafka: { brokers: t.kafka.brokers.map((b) => ({ id: b.id, address: `${h}:${b.clientProxy}` })) },
    redis: { master: `${h}:${t.redis.masterProxy}`, replica: `${h}:${t.redis.replicaProxy}`, sentinels: t.redis.sentinels.map((s) => `${h}:${s.port}`), masterName: REDIS_MASTER_NAME },
    mariadb: { host: h, port: t.mariadb.proxy, database: db.database, accounts: localAccounts() },
    gatewayUrl: `http://${h}:${t.gateway.proxy}`,
    serviceUrls: Array.from({ length: instances }, (_, i) => `http://${h}:${t.servicePort(i + 1)}`),
    serviceAdmin: {
      urls: Array.from({ length: instances }, (_, i) => `http://${h}:${t.serviceAdminPort(i + 1)}`),
      token: fileSecret(paths.credentialFile(CREDENTIALS.adminToken), `the admin token of the stack in ${dir}`),
    },
    toxiproxyUrl: `http://${h}:${t.toxiproxyApi}`,
  };
  // Explicit endpoints in the file win over the derived ones (e.g. a fourth service instance).
  return applyEndpoints(derived, e, env, file);
}

function remoteContext(name: string, source: string, e: ContextEntry, env: NodeJS.ProcessEnv): Context {
  const need = (value: unknown, key: string, what: string) => {
    if (value === undefined) throw new ConfigError(source, `contexts.${name}.${key}`, `is required for a context without "stack" (${what}).`);
  };
  need(e.kafka?.bootstrap, 'kafka.bootstrap', 'the brokers as clients reach them');
  need(e.redis?.master, 'redis.master', 'where the service reaches Redis');
  for (const f of ['host', 'port', 'user', 'database'] as const) need(e.mariadb?.[f], `mariadb.${f}`, f === 'user' ? "the read account's user" : 'the service database');
  need(e.mariadb?.password, 'mariadb.password', 'the read account\'s password: {"env": ...}, {"file": ...} or the password');
  need(e.gateway, 'gateway', 'the payment gateway URL');
  need(e.services, 'services', 'each service instance URL');
  const empty: Context = {
    name,
    source,
    protected: e.protected ?? true,
    allowDrills: e.allowDrills ?? false,
    stack: null,
    platform: null,
    kafka: { brokers: [] },
    redis: { master: '', replica: null, sentinels: [], masterName: REDIS_MASTER_NAME },
    mariadb: { host: '', port: 0, database: '', accounts: { read: null, operator: null, drill: null } },
    gatewayUrl: '',
    serviceUrls: [],
    serviceAdmin: { urls: [], token: null },
    toxiproxyUrl: null,
  };
  return applyEndpoints(empty, e, env, source);
}

function platformOf(e: ContextEntry, file: string | undefined): PlatformSpec {
  if (e.platform !== 'compose') return { kind: 'local' };
  const composeFile = e.compose?.file ? path.resolve(path.dirname(file ?? '.'), e.compose.file) : DEFAULT_COMPOSE_PROJECT.file;
  return { kind: 'compose', project: e.compose?.project ?? DEFAULT_COMPOSE_PROJECT.project, file: composeFile };
}

function applyEndpoints(base: Context, e: ContextEntry, env: NodeJS.ProcessEnv, file: string | undefined): Context {
  const c: Context = { ...base, kafka: { ...base.kafka }, redis: { ...base.redis }, mariadb: { ...base.mariadb, accounts: { ...base.mariadb.accounts } }, serviceAdmin: { ...base.serviceAdmin } };
  if (e.kafka?.bootstrap) c.kafka.brokers = e.kafka.bootstrap.map((address) => ({ id: base.kafka.brokers.find((b) => b.address === address)?.id ?? null, address }));
  if (e.redis) Object.assign(c.redis, definedOnly(e.redis));
  if (e.mariadb) {
    const m = e.mariadb;
    const key = `contexts.${c.name}.mariadb`;
    if (m.host !== undefined) c.mariadb.host = m.host;
    if (m.port !== undefined) c.mariadb.port = m.port;
    if (m.database !== undefined) c.mariadb.database = m.database;
    if (m.user !== undefined || m.password !== undefined) {
      const read = c.mariadb.accounts.read;
      const user = m.user ?? read?.user;
      const password = m.password && file ? secretOf(m.password, file, `${key}.password`, env) : read?.password;
      c.mariadb.accounts.read = user && password ? { user, password } : null;
    }
    for (const role of ['operator', 'drill'] as const) {
      const a = m[role];
      if (a && file) c.mariadb.accounts[role] = { user: a.user, password: secretOf(a.password, file, `${key}.${role}.password`, env) };
    }
  }
  if (e.gateway) c.gatewayUrl = e.gateway;
  if (e.services) c.serviceUrls = e.services;
  if (e.admin?.urls) c.serviceAdmin.urls = e.admin.urls;
  if (e.admin?.token && file) c.serviceAdmin.token = secretOf(e.admin.token, file, `contexts.${c.name}.admin.token`, env);
  if (e.toxiproxy !== undefined) c.toxiproxyUrl = e.toxiproxy;
  return c;
}

/** The local stack's accounts: built into contracts/databases.ts (local-only passwords). */
function localAccounts(): Record<TicketctlDbRole, DbAccount> {
  const of = (role: TicketctlDbRole): DbAccount => {
    const a = TICKETCTL_DB_ACCOUNTS[role];
    return { user: a.user, password: { source: `built-in (the local stack's ${a.user} account)`, reveal: () => a.password } };
  };
  return { read: of('read'), operator: of('operator'), drill: of('drill') };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** "host:port" -> parts. Addresses are validated when the file is read. */
export function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

/** For commands that manage local processes (`stack`, `kafka restart-broker`). */
export function requireLocalStack(c: Context, what: string): { dir: string; portOffset: number } {
  if (!c.stack) {
    throw new UsageError(
      `${what} works only on a local stack; context "${c.name}" (${c.source}) has no "stack" section.`,
      `Run it with --context local (or another context with a "stack" section); on ${c.name}, use that platform's own tooling.`,
    );
  }
  return c.stack;
}

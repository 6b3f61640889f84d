import { readFileSync } from 'node:fs';
import { UsageError, FieldReader } from '../lib/index.ts';
import { COMPOSE_PROJECT_NAME, PLATFORM_KINDS, type PlatformKind } from '../stack/index.ts';
import { assertPrivateConfig, type SecretSpec } from './secret.ts';

// The config file of named contexts (format: docs/ticketctl.md#contexts), parsed and
// validated before any command touches a system. Every error names the file and the key
// (`contexts.staging.kafka.bootstrap`), and exits 2: a broken config is a usage error.

export interface StackSection {
  dir?: string;
  portOffset?: number;
}

export interface ContextEntry {
  protected?: boolean;
  allowDrills?: boolean;
  stack?: StackSection;
  /** What runs the stack's processes (stack/platforms): local processes (default) or a compose project. */
  platform?: PlatformKind;
  compose?: { project?: string; file?: string };
  kafka?: { bootstrap?: string[] };
  redis?: { master?: string; replica?: string | null; sentinels?: string[]; masterName?: string };
  /** `user`/`password`: the read account; `operator` and `drill`: the accounts of the commands that change rows and of the drills. */
  mariadb?: { host?: string; port?: number; user?: string; password?: SecretSpec; database?: string; operator?: DbAccountEntry; drill?: DbAccountEntry };
  gateway?: string;
  services?: string[];
  /** The service instances' admin listeners (one URL per instance, in the order of `services`) and their bearer token. */
  admin?: { urls?: string[]; token?: SecretSpec };
  toxiproxy?: string | null;
}

export interface DbAccountEntry {
  user: string;
  password: SecretSpec;
}

export interface ConfigFile {
  path: string;
  defaultContext?: string;
  contexts: Record<string, ContextEntry>;
}

export const CONTEXT_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export class ConfigError extends UsageError {
  constructor(file: string, key: string, problem: string) {
    super(`${file}: ${key} ${problem}`, `Fix that key (the format is in docs/ticketctl.md, "Contexts"), or point TICKETCTL_CONFIG at another file.`);
  }
}

/** Reads and validates the file; undefined when it does not exist (only the built-in `local`). */
export function readConfigFile(file: string): ConfigFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`Cannot read the config file ${file}: ${(err as Error).message}.`, 'Check its permissions, or point TICKETCTL_CONFIG at another file.');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '(the whole file)', `is not valid JSON: ${(err as Error).message}.`);
  }
  return parseConfig(file, raw);
}

export function parseConfig(file: string, raw: unknown): ConfigFile {
  const v = new FieldReader((key, problem) => new ConfigError(file, key, problem));
  const top = v.object(raw, '(top level)', ['defaultContext', 'contexts']);
  const contextsRaw = v.object(top.contexts ?? {}, 'contexts');
  const contexts: Record<string, ContextEntry> = {};
  for (const [name, entry] of Object.entries(contextsRaw)) {
    if (!CONTEXT_NAME.test(name)) throw new ConfigError(file, `contexts.${name}`, 'is not a valid context name (lower-case letters, digits, ".", "_" and "-").');
    contexts[name] = parseEntry(v, entry, `contexts.${name}`, file);
  }
  const defaultContext = top.defaultContext === undefined ? undefined : v.string(top.defaultContext, 'defaultContext');
  if (defaultContext !== undefined && defaultContext !== 'local' && !(defaultContext in contexts)) {
    throw new ConfigError(
      file,
      'defaultContext',
      `names "${defaultContext}", which is not defined under contexts (defined: local${Object.keys(contexts)
        .filter((n) => n !== 'local')
        .map((n) => `, ${n}`)
        .join('')}).`,
    );
  }
  return { path: file, defaultContext, contexts };
}

/**
 * `{"env": NAME}`, `{"file": path}`, or a plain string (only in a file its owner alone may
 * read: clients/secret.ts). Errors never quote the value: it may be the secret itself.
 */
function readSecretSpec(raw: unknown, key: string, file: string): SecretSpec {
  if (typeof raw === 'string' && raw !== '') {
    assertPrivateConfig(file, key);
    return { value: raw };
  }
  const o = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  const keys = o ? Object.keys(o) : [];
  if (o && keys.length === 1 && (keys[0] === 'env' || keys[0] === 'file') && typeof o[keys[0]] === 'string' && o[keys[0]] !== '') {
    return keys[0] === 'env' ? { env: o.env as string } : { file: o.file as string };
  }
  throw new ConfigError(file, key, 'must be {"env": "VARIABLE"}, {"file": "path"} or the secret itself (the value is not shown here).');
}

function parseEntry(v: FieldReader, raw: unknown, key: string, file: string): ContextEntry {
  const o = v.object(raw, key, ['protected', 'allowDrills', 'stack', 'platform', 'compose', 'kafka', 'redis', 'mariadb', 'gateway', 'services', 'admin', 'toxiproxy']);
  const e: ContextEntry = {};
  if (o.protected !== undefined) e.protected = v.boolean(o.protected, `${key}.protected`);
  if (o.allowDrills !== undefined) e.allowDrills = v.boolean(o.allowDrills, `${key}.allowDrills`);
  if (o.stack !== undefined) {
    const s = v.object(o.stack, `${key}.stack`, ['dir', 'portOffset']);
    e.stack = {};
    if (s.dir !== undefined) e.stack.dir = v.string(s.dir, `${key}.stack.dir`);
    if (s.portOffset !== undefined) e.stack.portOffset = v.integer(s.portOffset, `${key}.stack.portOffset`, 0, 10_000);
  }
  if (o.platform !== undefined) e.platform = v.oneOf(o.platform, `${key}.platform`, PLATFORM_KINDS);
  if (o.compose !== undefined) {
    const c = v.object(o.compose, `${key}.compose`, ['project', 'file']);
    e.compose = {};
    if (c.project !== undefined) {
      const project = v.string(c.project, `${key}.compose.project`);
      if (!COMPOSE_PROJECT_NAME.test(project))
        throw new ConfigError(file, `${key}.compose.project`, `"${project}" is not a compose project name (lowercase letters, digits, - and _, starting with a letter or digit).`);
      e.compose.project = project;
    }
    if (c.file !== undefined) e.compose.file = v.string(c.file, `${key}.compose.file`);
    if (e.platform !== 'compose') throw new ConfigError(file, `${key}.compose`, 'is only read with "platform": "compose".');
  }
  if (o.kafka !== undefined) {
    const k = v.object(o.kafka, `${key}.kafka`, ['bootstrap']);
    e.kafka = k.bootstrap === undefined ? {} : { bootstrap: v.list(k.bootstrap, `${key}.kafka.bootstrap`, (x, kk) => v.hostPort(x, kk)) };
  }
  if (o.redis !== undefined) {
    const r = v.object(o.redis, `${key}.redis`, ['master', 'replica', 'sentinels', 'masterName']);
    e.redis = {};
    if (r.master !== undefined) e.redis.master = v.hostPort(r.master, `${key}.redis.master`);
    if (r.replica !== undefined) e.redis.replica = r.replica === null ? null : v.hostPort(r.replica, `${key}.redis.replica`);
    if (r.sentinels !== undefined) e.redis.sentinels = v.list(r.sentinels, `${key}.redis.sentinels`, (x, kk) => v.hostPort(x, kk));
    if (r.masterName !== undefined) e.redis.masterName = v.string(r.masterName, `${key}.redis.masterName`);
  }
  if (o.mariadb !== undefined) {
    const m = v.object(o.mariadb, `${key}.mariadb`, ['host', 'port', 'user', 'password', 'passwordEnv', 'database', 'operator', 'drill']);
    e.mariadb = {};
    for (const f of ['host', 'user', 'database'] as const) if (m[f] !== undefined) e.mariadb[f] = v.string(m[f], `${key}.mariadb.${f}`);
    if (m.port !== undefined) e.mariadb.port = v.integer(m.port, `${key}.mariadb.port`, 1, 65_535);
    if (m.password !== undefined && m.passwordEnv !== undefined) throw new ConfigError(file, `${key}.mariadb.passwordEnv`, 'and mariadb.password are both set: keep one.');
    if (m.password !== undefined) e.mariadb.password = readSecretSpec(m.password, `${key}.mariadb.password`, file);
    // The form before secret references: the name of a variable holding the password.
    if (m.passwordEnv !== undefined) e.mariadb.password = { env: v.string(m.passwordEnv, `${key}.mariadb.passwordEnv`) };
    for (const role of ['operator', 'drill'] as const) {
      if (m[role] === undefined) continue;
      const a = v.object(m[role], `${key}.mariadb.${role}`, ['user', 'password']);
      if (a.password === undefined) throw new ConfigError(file, `${key}.mariadb.${role}.password`, 'is required ({"env": ...}, {"file": ...} or the password).');
      e.mariadb[role] = { user: v.string(a.user, `${key}.mariadb.${role}.user`), password: readSecretSpec(a.password, `${key}.mariadb.${role}.password`, file) };
    }
  }
  if (o.gateway !== undefined) e.gateway = v.url(o.gateway, `${key}.gateway`);
  if (o.services !== undefined) e.services = v.list(o.services, `${key}.services`, (x, kk) => v.url(x, kk));
  if (o.admin !== undefined) {
    const a = v.object(o.admin, `${key}.admin`, ['urls', 'token']);
    e.admin = {};
    if (a.urls !== undefined) e.admin.urls = v.list(a.urls, `${key}.admin.urls`, (x, kk) => v.url(x, kk));
    if (a.token !== undefined) e.admin.token = readSecretSpec(a.token, `${key}.admin.token`, file);
  }
  if (o.toxiproxy !== undefined) e.toxiproxy = o.toxiproxy === null ? null : v.url(o.toxiproxy, `${key}.toxiproxy`);
  return e;
}

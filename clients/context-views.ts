import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../lib/index.ts';
import { chosenContext, configPath, contextNames, selectContext, type Context } from './context.ts';
import { readConfigFile } from './context-file.ts';

// What `ticketctl context list | show | use` print and change. Views hold where each
// secret comes from (its `source`), never a value: nothing here reveals a secret.

export interface ContextListing {
  configFile: string;
  configExists: boolean;
  selected: string;
  /** Which rule chose it: --context, TICKETCTL_CONTEXT, defaultContext, or the built-in default. */
  selectedBy: string;
  contexts: Array<{ name: string; selected: boolean; kind: string; protected: boolean; allowDrills: boolean; source: string }>;
}

export function listContexts(env: NodeJS.ProcessEnv, flag?: string): ContextListing {
  const file = configPath(env);
  const parsed = readConfigFile(file);
  const { name: selected, by: selectedBy } = chosenContext(parsed, flag, env);
  const contexts = contextNames(parsed).map((name) => {
    const c = selectContext(parsed, name, env);
    return { name, selected: name === selected, kind: kindOf(c), protected: c.protected, allowDrills: c.allowDrills, source: c.source };
  });
  return { configFile: file, configExists: parsed !== undefined, selected, selectedBy, contexts };
}

const kindOf = (c: Context) => (c.stack ? `stack (${c.platform?.kind ?? 'local'})` : 'remote');

export interface ContextView {
  name: string;
  source: string;
  protected: boolean;
  allowDrills: boolean;
  platform: string;
  stack: string | null;
  kafka: { bootstrap: string[] };
  redis: { master: string; replica: string | null; sentinels: string[]; masterName: string };
  mariadb: { address: string; database: string; accounts: Record<string, { user: string; password: string } | null> };
  gateway: string;
  services: string[];
  admin: { urls: string[]; token: string | null };
  toxiproxy: string | null;
}

/** The resolved context with every secret replaced by where it comes from. */
export function describeContext(c: Context): ContextView {
  const platform = c.platform?.kind === 'compose' ? `compose (project ${c.platform.project}, ${c.platform.file})` : c.stack ? 'local processes' : 'none (not run by ticketctl)';
  return {
    name: c.name,
    source: c.source,
    protected: c.protected,
    allowDrills: c.allowDrills,
    platform,
    stack: c.stack ? `${c.stack.dir} (port offset ${c.stack.portOffset})` : null,
    kafka: { bootstrap: c.kafka.brokers.map((b) => b.address) },
    redis: { ...c.redis },
    mariadb: {
      address: `${c.mariadb.host}:${c.mariadb.port}`,
      database: c.mariadb.database,
      accounts: Object.fromEntries(Object.entries(c.mariadb.accounts).map(([role, a]) => [role, a ? { user: a.user, password: a.password.source } : null])),
    },
    gateway: c.gatewayUrl,
    services: c.serviceUrls,
    admin: { urls: c.serviceAdmin.urls, token: c.serviceAdmin.token?.source ?? null },
    toxiproxy: c.toxiproxyUrl,
  };
}

/**
 * Sets the config file's defaultContext (creating the file, mode 0600, if there is none),
 * keeping everything else in it as it was. Written to a temporary file and renamed, so a
 * crash never leaves half a config.
 */
export function setDefaultContext(env: NodeJS.ProcessEnv, name: string): { file: string; previous: string | undefined } {
  const file = configPath(env);
  const parsed = readConfigFile(file); // validates the file as it is first
  const known = contextNames(parsed);
  if (!known.includes(name)) {
    throw new UsageError(
      `Unknown context "${name}".`,
      `Known contexts: ${known.join(', ')}${parsed ? ` (from ${file})` : ' (no config file yet)'}. Add it under "contexts" first (docs/ticketctl.md, "Contexts").`,
    );
  }
  const raw = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : { contexts: {} };
  const previous = typeof raw.defaultContext === 'string' ? raw.defaultContext : undefined;
  raw.defaultContext = name;
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o600;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(raw, null, 2)}\n`, { mode });
  renameSync(tmp, file);
  return { file, previous };
}

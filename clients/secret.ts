import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../lib/index.ts';

// A secret a context uses (a token, a password), known by where it comes from: an
// environment variable, a file, or the config file itself. `source` is what `context
// show`, plans, audit entries and errors may print; `reveal()` is the only way to the
// value, read when a client is about to connect, and no error it throws holds the value.
//
// Written in the config file, a secret is a reference, `{"env": "NAME"}` or `{"file":
// "path"}` (relative to the config file), or a plain string. A plain string is accepted
// only while the config file is readable by its owner alone (mode 0600, as ssh treats a
// private key): a config file others may read must not hold a secret.

export interface Secret {
  /** Where the value comes from, e.g. `env PROD_ADMIN_TOKEN`, `file /etc/ticketctl/token`; never the value. */
  source: string;
  reveal(): string;
}

export type SecretSpec = { env: string } | { file: string } | { value: string };

export function envSecret(name: string, env: NodeJS.ProcessEnv, field: string): Secret {
  return {
    source: `env ${name}`,
    reveal() {
      const v = env[name];
      if (v === undefined || v === '') throw new UsageError(`${field} comes from the environment variable ${name}, which is not set.`, `Export ${name}, or change ${field} (docs/ticketctl.md, "Contexts").`);
      return v;
    },
  };
}

export function fileSecret(file: string, field: string): Secret {
  return {
    source: `file ${file}`,
    reveal() {
      let v: string;
      try {
        v = readFileSync(file, 'utf8').trim();
      } catch (err) {
        throw new UsageError(
          `${field} comes from ${file}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
          `Check that the file exists and that you may read it, or change ${field}.`,
        );
      }
      if (!v) throw new UsageError(`${field} comes from ${file}, which is empty.`, `Write the secret into ${file}, or change ${field}.`);
      return v;
    },
  };
}

/** A secret spec from the config file at `configFile`, as a Secret. */
export function secretOf(spec: SecretSpec, configFile: string, field: string, env: NodeJS.ProcessEnv): Secret {
  if ('env' in spec) return envSecret(spec.env, env, field);
  if ('file' in spec) return fileSecret(path.resolve(path.dirname(configFile), spec.file), field);
  const { value } = spec;
  return { source: `config file ${configFile} (${field})`, reveal: () => value };
}

/** Refuses a plain secret in a config file that others than its owner may read. */
export function assertPrivateConfig(configFile: string, field: string): void {
  let mode: number;
  try {
    mode = statSync(configFile).mode;
  } catch {
    return; // an in-memory config (tests): nothing on disk to protect
  }
  if ((mode & 0o077) !== 0) {
    throw new UsageError(
      `${configFile}: ${field} holds a secret in plain text, and the file may be read by others than its owner (mode ${(mode & 0o777).toString(8)}).`,
      `Run \`chmod 600 ${configFile}\`, or better, replace the value with {"env": "NAME"} or {"file": "path"}.`,
    );
  }
}

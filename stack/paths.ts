import path from 'node:path';

// Everything the local stack writes lives under one git-ignored folder (default `.stack/`
// at the repository root): downloaded binaries, configs, data, logs and PID files.
// Deleting the folder resets the stack completely.
export interface StackPaths {
  root: string;
  bin: string;
  kafkaLibs: string;
  conf: string;
  data: string;
  logs: string;
  run: string;
  /** Secrets of this stack (mode 0700; each file 0600): stack/credentials/. */
  credentials: string;
  credentialFile(name: string): string;
  confFile(name: string): string;
  dataDir(name: string): string;
  logFile(name: string): string;
  pidFile(name: string): string;
}

export function createStackPaths(root: string): StackPaths {
  const abs = path.resolve(root);
  const bin = path.join(abs, 'bin');
  const conf = path.join(abs, 'conf');
  const data = path.join(abs, 'data');
  const logs = path.join(abs, 'logs');
  const run = path.join(abs, 'run');
  return {
    root: abs,
    bin,
    kafkaLibs: path.join(abs, 'kafka-libs'),
    conf,
    data,
    logs,
    run,
    credentials: path.join(abs, 'credentials'),
    credentialFile: (name) => path.join(abs, 'credentials', name),
    confFile: (name) => path.join(conf, name),
    dataDir: (name) => path.join(data, name),
    logFile: (name) => path.join(logs, `${name}.log`),
    pidFile: (name) => path.join(run, `${name}.pid`),
  };
}

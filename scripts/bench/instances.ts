import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { isPortFree, NODE_ARGS } from '../../stack/index.ts';
import type { StackContext } from '../../stack/index.ts';
import { waitFor, httpGet } from '../../lib/index.ts';
import { REPO_ROOT } from '../../contracts/index.ts';

// Extra service processes the hold benchmark owns: one per lock mode, beside the stack's
// own three, with the saga consumers off so they only serve holds. They are children of
// the benchmark (not detached), logged to the stack's log folder, and stopped by PID.

export type LockSetting = 'redis' | 'database';

export interface BenchInstance {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startBenchInstance(ctx: StackContext, o: { name: string; slot: number; seatLock: LockSetting }): Promise<BenchInstance> {
  const port = ctx.topology.servicePort(o.slot);
  if (!(await isPortFree(port, ctx.topology.host))) {
    throw new Error(`port ${port} (service slot ${o.slot}) is taken; the benchmark starts ${o.name} there. Free it, or run with another TICKETCTL_PORT_OFFSET.`);
  }
  const logFile = ctx.paths.logFile(o.name);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...NODE_ARGS, path.join(REPO_ROOT, 'service', 'main.ts')], {
      stdio: ['ignore', fd, fd],
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: ctx.topology.host,
        INSTANCE_ID: o.name,
        SEAT_LOCK: o.seatLock,
        CONSUMERS_ENABLED: 'false',
        TICKETCTL_PORT_OFFSET: String(ctx.topology.portOffset),
      },
    });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  const died = new AbortController();
  void exited.then((code) => {
    gone = true;
    died.abort(new Error(`${o.name} exited (code ${code}); see ${logFile}`));
  });
  const url = `http://${ctx.topology.host}:${port}`;

  const instance: BenchInstance = {
    name: o.name,
    url,
    pid: child.pid!,
    async stop() {
      if (gone) return;
      process.kill(child.pid!, 'SIGTERM'); // graceful: the service drains and exits 0
      const killer = setTimeout(() => !gone && process.kill(child.pid!, 'SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    },
  };
  try {
    await waitFor(
      async () => {
        return (await httpGet(`${url}/health`, 2500)).status === 200;
      },
      { timeoutMs: 90_000, intervalMs: 300, signal: died.signal, what: `${o.name} on port ${port} to answer /health with 200 (log: ${logFile})` },
    );
  } catch (err) {
    await instance.stop();
    throw err;
  }
  return instance;
}

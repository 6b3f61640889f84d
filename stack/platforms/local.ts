import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { OpsError, UsageError, delay, errorMessage } from '../../lib/index.ts';
import { MAX_SERVICE_INSTANCES } from '../../contracts/index.ts';
import { allComponents, findComponent } from '../components/index.ts';
import type { StackContext } from '../components/types.ts';
import { stackDown } from '../down.ts';
import { SERVICE_ENV_PREFIX } from '../components/service.ts';
import { readServiceInstances, writeServiceInstances } from '../service-instances.ts';
import { runningRecord } from '../supervisor/managed.ts';
import type { PidRecord } from '../supervisor/pidfile.ts';
import { isProcessStopped } from '../supervisor/proc.ts';
import { isAlive, signalRecorded } from '../supervisor/process.ts';
import { stackUp } from '../up.ts';
import { unitLabel, type LogOptions, type Platform, type UnitRef, type UnitStatus, type VerbOptions } from './types.ts';

// The local platform: processes on this machine, run by the stack's supervisor (recorded
// PID and start time, stack/supervisor). Every verb acts on the recorded process only.

type LocalRef = Extract<UnitRef, { platform: 'local' }>;

export function createLocalPlatform(stack: StackContext): Platform {
  const t = stack.topology;
  const component = (name: string) => {
    const c = findComponent(t, name);
    if (!c)
      throw new UsageError(
        `${name} is not a component of the stack.`,
        `Components: ${allComponents(t, MAX_SERVICE_INSTANCES)
          .map((x) => x.name)
          .join(', ')}.`,
      );
    return c;
  };
  const recordOf = (ref: UnitRef): PidRecord => {
    if (ref.platform !== 'local') throw new Error(`a ${ref.platform} unit handed to the local platform`);
    return { name: ref.name, pid: ref.pid, startTicks: ref.startTicks, startedAt: '', argv: [] };
  };
  const refOf = (rec: PidRecord): LocalRef => ({ platform: 'local', name: rec.name, pid: rec.pid, startTicks: rec.startTicks });

  const platform: Platform = {
    kind: 'local',
    where: `local processes under ${stack.paths.root}`,
    // `stack up` makes the local stack from nothing: every component name is always valid.
    requireDeployed: async () => {},
    async names() {
      return allComponents(t, readServiceInstances(stack.paths)).map((c) => c.name);
    },
    async status(names) {
      const wanted = names ?? (await platform.names());
      return wanted.map((name): UnitStatus => {
        const rec = runningRecord(stack.paths, component(name));
        if (!rec) return { name, state: 'absent', health: null, ref: null, label: '-' };
        return { name, state: isProcessStopped(rec.pid) ? 'paused' : 'running', health: null, ref: refOf(rec), label: unitLabel(refOf(rec)) };
      });
    },
    async target(name) {
      const rec = runningRecord(stack.paths, component(name));
      if (!rec) throw new OpsError(`${name} is not running.`, { code: 'NOT_RUNNING', hint: `Start it with \`ticketctl stack up --only ${name}\`.` });
      return refOf(rec);
    },
    async start(names, o: VerbOptions = {}) {
      const r = await stackUp(stack, { only: names, ...(o.progress ? { progress: o.progress } : {}), ...(o.signal ? { signal: o.signal } : {}) });
      return { createdTopics: r.createdTopics };
    },
    async stop(names, o: VerbOptions = {}) {
      await stackDown(stack, { only: names, ...(o.progress ? { progress: o.progress } : {}) });
    },
    async restart(name, o = {}) {
      await platform.stop([name], o);
      await platform.start([name], o);
    },
    async kill(ref, signal) {
      signalRecorded(recordOf(ref), signal);
    },
    async pause(ref) {
      signalRecorded(recordOf(ref), 'SIGSTOP');
    },
    async resume(ref) {
      signalRecorded(recordOf(ref), 'SIGCONT');
    },
    async isRunning(ref) {
      return isAlive(recordOf(ref));
    },
    async isPaused(ref) {
      const rec = recordOf(ref);
      return isAlive(rec) && isProcessStopped(rec.pid);
    },
    async restartWithSettings(name, settings, o = {}) {
      await platform.stop([name], o);
      // `stack up` passes TICKETING_<NAME> on to a service instance as <NAME> (components/service.ts).
      const saved = Object.keys(settings).map((k) => [k, process.env[SERVICE_ENV_PREFIX + k]] as const);
      for (const [k, v] of Object.entries(settings)) process.env[SERVICE_ENV_PREFIX + k] = v;
      try {
        await platform.start([name], o);
      } finally {
        for (const [k, v] of saved) {
          if (v === undefined) delete process.env[SERVICE_ENV_PREFIX + k];
          else process.env[SERVICE_ENV_PREFIX + k] = v;
        }
      }
    },
    async settingsOf(name, keys) {
      const rec = runningRecord(stack.paths, component(name));
      if (!rec) return null;
      const env = environOf(rec.pid);
      return Object.fromEntries(keys.flatMap((k) => (env.has(k) ? [[k, env.get(k)!]] : [])));
    },
    async scaleServices(count, o = {}) {
      const from = readServiceInstances(stack.paths);
      const running = Array.from({ length: MAX_SERVICE_INSTANCES }, (_, i) => `service-${i + 1}`).filter((n) => runningRecord(stack.paths, component(n)));
      const stop = running.filter((n) => Number(n.slice('service-'.length)) > count);
      const start = Array.from({ length: count }, (_, i) => `service-${i + 1}`).filter((n) => !running.includes(n));
      // The count first: every other command (and `stack up`) then agrees on the instances.
      writeServiceInstances(stack.paths, count);
      try {
        if (stop.length) await platform.stop(stop, o);
        if (start.length) await platform.start(start, o);
      } catch (err) {
        writeServiceInstances(stack.paths, from);
        throw err;
      }
      return { started: start, stopped: stop };
    },
    logs: (name, o) => followLogFile(stack.paths.logFile(component(name).name), name, o),
    async brokerIdentity(name) {
      return nodeIdIn(readText(path.join(stack.paths.dataDir(component(name).name), 'meta.properties')));
    },
    async backupBrokerData(names, file) {
      return archiveDirs(file, stack.paths.data, names);
    },
    timeouts(name) {
      const c = component(name);
      return { stopMs: c.stopTimeoutMs, startMs: c.startTimeoutMs };
    },
  };
  return platform;
}

/** The <NAME>=<value> pairs of a running process's environment; empty if it cannot be read. */
function environOf(pid: number): Map<string, string> {
  const text = readText(`/proc/${pid}/environ`) ?? '';
  return new Map(
    text
      .split('\0')
      .filter(Boolean)
      .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
  );
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** node.id from a Kafka log dir's meta.properties, or null. */
export function nodeIdIn(metaProperties: string | undefined): number | null {
  const m = metaProperties && /^node\.id=(\d+)\s*$/m.exec(metaProperties);
  return m ? Number(m[1]) : null;
}

async function followLogFile(file: string, name: string, o: LogOptions): Promise<void> {
  if (!existsSync(file)) throw new UsageError(`${name} has no log yet (${file}).`, 'Start the stack first: `ticketctl stack up`.');
  const text = readFileSync(file, 'utf8');
  if (o.lines > 0 && text.length > 0) o.write(`${text.trimEnd().split('\n').slice(-o.lines).join('\n')}\n`);
  if (!o.follow) return;
  let offset = statSync(file).size;
  while (!o.signal.aborted) {
    await delay(500, o.signal).catch(() => {});
    const size = statSync(file).size;
    if (size < offset) offset = 0; // truncated or replaced
    if (size > offset) {
      await new Promise<void>((resolve) => {
        createReadStream(file, { start: offset, end: size - 1, encoding: 'utf8' })
          .on('data', (chunk) => o.write(String(chunk)))
          .on('end', resolve);
      });
      offset = size;
    }
  }
}

/** tar -czSf <file> -C <root> <names...> (-S keeps Kafka's sparse index files sparse); returns the archive's size in bytes. */
async function archiveDirs(file: string, root: string, names: string[]): Promise<number> {
  mkdirSync(path.dirname(file), { recursive: true });
  const present = names.filter((n) => existsSync(path.join(root, n)));
  try {
    await execa('tar', ['--sparse', '-czf', file, '-C', root, ...present]);
  } catch (err) {
    throw new OpsError(`Could not archive the brokers' data to ${file}: ${errorMessage(err).split('\n').slice(-2).join(' ')}`, {
      code: 'BACKUP_FAILED',
      hint: `Check free space and permissions under ${path.dirname(file)}. The brokers are stopped: start them with \`ticketctl stack up --only ${names.join(' ')}\`, or run \`ticketctl kafka recover-cluster\` without --backup.`,
      cause: err,
    });
  }
  return statSync(file).size;
}

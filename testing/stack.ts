import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerComposeEnvironment, Wait, type StartedDockerComposeEnvironment } from 'testcontainers';
import { DEFAULT_STACK_DIR, REPO_ROOT } from '../contracts/index.ts';
import { buildImages, composeEnv, createStackPaths, defaultBuildCa, ensureCompose, ensureCredentials, ensureEngine, missingImages } from '../stack/index.ts';

// The ticketing stack for a CI user's tests, on testcontainers: the images docker-compose.yml
// names (built where missing), brought up as a compose project with testcontainers'
// DockerComposeEnvironment, every healthcheck passed, and a ticketctl context handed back
// (a config file naming the project) so `ticketctl` and the drills run against it as they
// run anywhere. stop() takes it all down, volumes too; if the run is killed first, a
// watchdog process does (watchdog.ts). See docs/testing.md.

export interface TicketingStack {
  /** The compose project (its containers' com.docker.compose.project label). */
  project: string;
  /** The context name in the config file below. */
  context: string;
  /** What `ticketctl` needs to target this stack: TICKETCTL_CONFIG, TICKETCTL_CONTEXT, DOCKER_HOST. */
  env: Record<string, string>;
  compose: StartedDockerComposeEnvironment;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Default: ticketing-tc-<random>. The stack's ports are fixed (docs/compose.md): one such stack per machine at a time. */
  project?: string;
  /** The stack folder whose engine (if it starts one), Compose binary and images cache are used; default the repository's .stack. */
  stackDir?: string;
  /** Up to this long for the build (first time) and every healthcheck; default 20 minutes. */
  startupTimeoutMs?: number;
}

const COMPOSE_FILE = 'docker-compose.yml';

export async function startTicketingStack(o: StartOptions = {}): Promise<TicketingStack> {
  const project = o.project ?? `ticketing-tc-${Math.random().toString(36).slice(2, 8)}`;
  const paths = createStackPaths(o.stackDir ?? DEFAULT_STACK_DIR);
  const engine = await ensureEngine(paths);
  const bin = await ensureCompose(paths);
  const file = path.join(REPO_ROOT, COMPOSE_FILE);
  if ((await missingImages(paths, engine, file, project)).length) await buildImages(paths, engine, file, project, { base: 'auto', buildCa: defaultBuildCa() });
  ensureCredentials(paths); // the stack folder's secrets, which the compose file's `credentials` service copies in
  const composeVars = composeEnv(paths);

  // testcontainers reads these from the environment: the engine, no Ryuk (its image is not
  // reachable here; watchdog.ts reaps instead), mapped ports on loopback (inside a container
  // it would otherwise report the bridge gateway).
  process.env.DOCKER_HOST = engine.dockerHost;
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

  const watchdog = spawn(process.execPath, [path.join(import.meta.dirname, 'watchdog.ts'), String(process.pid), bin, file, project, engine.dockerHost], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  const timeout = o.startupTimeoutMs ?? 20 * 60_000;
  let compose: StartedDockerComposeEnvironment;
  try {
    compose = await new DockerComposeEnvironment(REPO_ROOT, COMPOSE_FILE)
      .withProjectName(project)
      .withEnvironment(composeVars)
      // Compose itself waits for every healthcheck (--wait); then each running container
      // must take an exec, and the one-shot kafka-init must have exited 0.
      .withClientOptions({ executable: { standalone: true, executablePath: bin }, commandOptions: ['--wait', '--wait-timeout', String(Math.round(timeout / 1000))] })
      .withDefaultWaitStrategy(Wait.forSuccessfulCommand('true'))
      .withWaitStrategy(`${project}-kafka-init-1`, Wait.forOneShotStartup())
      .withWaitStrategy(`${project}-credentials-1`, Wait.forOneShotStartup())
      .withStartupTimeout(timeout)
      .up();
  } catch (err) {
    watchdog.kill('SIGKILL');
    await downProject(bin, file, project, engine.dockerHost, composeVars);
    throw err;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'ticketing-tc-'));
  const config = path.join(dir, 'config.json');
  const context = 'testcontainers';
  writeFileSync(config, JSON.stringify({ contexts: { [context]: { platform: 'compose', compose: { project, file }, stack: { dir: paths.root }, allowDrills: true } } }, null, 2));
  return {
    project,
    context,
    env: { TICKETCTL_CONFIG: config, TICKETCTL_CONTEXT: context, DOCKER_HOST: engine.dockerHost },
    compose,
    async stop() {
      try {
        await compose.down({ removeVolumes: true, timeout: 30_000 });
      } finally {
        watchdog.kill('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function downProject(bin: string, file: string, project: string, dockerHost: string, vars: Record<string, string>): Promise<void> {
  return new Promise((resolve) => {
    const p = spawn(bin, ['--project-name', project, '--file', file, '--profile', 'scale', 'down', '--volumes', '--remove-orphans'], {
      stdio: 'ignore',
      env: { ...process.env, DOCKER_HOST: dockerHost, ...vars },
    });
    p.on('exit', () => resolve());
  });
}

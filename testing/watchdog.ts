// The reaper of `testing/` (started detached by stack.ts, one per started stack): when the
// process that started the compose project is gone without stopping it (a CI job killed,
// a test runner SIGKILLed), it takes the project down, volumes too, and exits. Why our
// own: testcontainers' Ryuk reaper image cannot be pulled here and its source is not on
// the Go module proxy (docs/testing.md), so Ryuk is switched off with its documented
// TESTCONTAINERS_RYUK_DISABLED=true, and this process does its one job instead.
//
// argv: <owner pid> <compose binary> <compose file> <project> <DOCKER_HOST>
import { execFile } from 'node:child_process';
import { pidExists } from '../lib/index.ts';

const [ownerPid, bin, file, project, dockerHost] = process.argv.slice(2) as [string, string, string, string, string];

// stop() of the owner ends this process with SIGTERM once the project is down.
process.on('SIGTERM', () => process.exit(0));

const timer = setInterval(() => {
  if (pidExists(Number(ownerPid))) return;
  clearInterval(timer);
  execFile(
    bin,
    ['--project-name', project, '--file', file, '--profile', 'scale', 'down', '--volumes', '--remove-orphans', '--timeout', '10'],
    { env: { ...process.env, DOCKER_HOST: dockerHost, TICKETING_BUILD_CA: '/dev/null' } },
    () => process.exit(0),
  );
}, 1000);

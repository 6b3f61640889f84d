import path from 'node:path';
import { OpsError, UsageError } from '../../../lib/index.ts';
import { faultsToClean, faultLogPath, readDrills, blastRadius, describeFault, summaryLines, unsupportedOn, writeReports, type ReportFiles, createDrillEnv, newRunId, runDrill } from '../../../drills/index.ts';
import type { DrillJournal } from '../../../drills/index.ts';
import { ExitError } from '../../shared/exit-code.ts';
import { runMutation, type MutationFlags } from '../../shared/mutation.ts';
import { platformOf } from '../../../clients/index.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl drill run <name>... | --all`. Every named drill file is validated before
// anything is touched; the plan (faults, blast radius, seed, reports folder) is printed
// before anything runs; --dry-run stops there. Exit: 0 all passed, 1 an invariant broke
// or the stack did not recover, 3 harness or configuration error, 2 usage/refused.

export interface RunFlags extends MutationFlags {
  all?: boolean;
  seed?: number;
  reportDir?: string;
  scenarios?: string;
}

export interface RunOutcome {
  runId: string;
  seed: number;
  reports: ReportFiles;
  drills: Array<Pick<DrillJournal, 'drill' | 'verdict' | 'durationMs' | 'times' | 'error'> & { invariants: Record<string, string> }>;
}

export async function run(g: Globals, names: string[], opts: RunFlags): Promise<void> {
  if (names.length && opts.all) throw new UsageError('Name drills or pass --all, not both.', 'See `ticketctl drill list`.');
  if (!names.length && !opts.all) throw new UsageError('Which drills? Name them, or pass --all.', 'See `ticketctl drill list`, then e.g. `ticketctl drill run poison-messages --dry-run`.');
  const c = await g.context();
  if (!c.allowDrills) {
    throw new OpsError(`Context "${c.name}" does not allow drills (allowDrills is false${c.source === 'built-in' ? '' : ` in ${c.source}`}). Nothing was injected.`, {
      code: 'DRILLS_NOT_ALLOWED',
      exitCode: 2,
      hint: `Drills inject real faults. Run them on a context marked "allowDrills": true (docs/ticketctl.md, "Contexts"), e.g. --context local.`,
    });
  }
  const { stack, platform } = await platformOf(c, '`drill run`');
  const read = readDrills(names, stack.topology, opts.scenarios ? path.resolve(opts.scenarios) : undefined);
  // Before anything is applied: every fault of a named drill must be one this platform can
  // apply; --all leaves out the drills it cannot run, and the plan says which.
  const cannot = (d: (typeof read)[number]) => unsupportedOn(platform.kind, d.faults);
  const refused = read.filter((d) => cannot(d).length).map((d) => `${d.name} (${cannot(d).join(', ')})`);
  if (refused.length && !opts.all)
    throw new OpsError(`Drill(s) ${refused.join(', ')} need a fault the ${platform.kind} platform cannot apply. Nothing was injected.`, {
      code: 'FAULT_NOT_ON_PLATFORM',
      exitCode: 2,
      hint: `Run them on a context whose platform can (docs/platforms.md, "Drills"), or leave them out; \`ticketctl drill list\` shows each drill's faults.`,
    });
  const drills = read.filter((d) => !cannot(d).length);
  const logFile = faultLogPath(stack.paths.root);
  const left = faultsToClean(logFile);
  if (left.todo.length || left.runnerStillActive.length) {
    const n = left.todo.length + left.runnerStillActive.length;
    throw new OpsError(`${n} fault(s) of an earlier drill run are still applied (${logFile}).`, {
      code: 'FAULTS_LEFT',
      exitCode: 3,
      hint: left.runnerStillActive.length
        ? 'Another drill run is still going; wait for it, or stop it (Ctrl-C) and it rolls back.'
        : 'Revert them first: `ticketctl drill cleanup --dry-run`, then `ticketctl drill cleanup --yes`.',
    });
  }
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  const runId = newRunId();
  const reportsDir = path.resolve(opts.reportDir ?? path.join(stack.paths.root, 'reports'));
  const radius = blastRadius(drills.flatMap((d) => d.faults));
  const plan = {
    title: `run ${drills.length} drill${drills.length === 1 ? '' : 's'} against the stack in ${stack.paths.root}`,
    steps: drills.map((d) => `${d.name} (report ${d.report}): ${d.faults.map(describeFault).join(' + ')}; ${d.load.operations} holds under load; check ${d.invariants.join(', ')}`),
    data: { runId, seed, reportsDir, faultLog: logFile, drills: drills.map((d) => d.name), blastRadius: radius },
    notes: [
      `blast radius: proxies ${radius.proxies.join(', ') || 'none'}; processes ${radius.processes.join(', ') || 'none'}${radius.other.length ? `; ${radius.other.join('; ')}` : ''}`,
      `seed ${seed} (the same load again: --seed ${seed}); reports under ${path.join(reportsDir, `drill-run-${runId}`)}`,
      'every fault is logged before it is applied and rolled back at the end, on failure and on Ctrl-C',
      ...(refused.length ? [`left out (the ${platform.kind} platform cannot apply their faults): ${refused.join(', ')}`] : []),
    ],
    rollback: 'ticketctl drill cleanup (reverts anything a crashed run left applied)',
  };

  const finished: DrillJournal[] = [];
  const outcome = await runMutation(
    g,
    c,
    opts,
    plan,
    async (): Promise<RunOutcome> => {
      const env = await createDrillEnv(c, stack, platform);
      const journals = finished;
      let reports = writeReports(reportsDir, runId, journals);
      try {
        for (const d of drills) {
          g.ui.err(`drill ${d.name} (report ${d.report}): ${d.title}`);
          try {
            journals.push(await runDrill(env, d, { seed, runId, faultLog: logFile, signal: g.signal, say: (l) => g.ui.err(l) }));
          } catch (err) {
            const j = (err as { journal?: DrillJournal }).journal;
            if (j) journals.push(j);
            throw err;
          } finally {
            reports = writeReports(reportsDir, runId, journals);
          }
          g.ui.err(`  => ${journals.at(-1)!.verdict.toUpperCase()} in ${(journals.at(-1)!.durationMs / 1000).toFixed(1)} s`);
        }
      } finally {
        await env.close();
      }
      return {
        runId,
        seed,
        reports,
        drills: journals.map((j) => ({
          drill: j.drill,
          verdict: j.verdict,
          durationMs: j.durationMs,
          times: j.times,
          error: j.error,
          invariants: Object.fromEntries(j.invariants.map((i) => [i.name, i.status])),
        })),
      };
    },
    (r) => [...finished.flatMap(summaryLines), `reports: ${r.reports.dir} (junit.xml, summary.txt, <drill>.json)`],
  );
  if (!outcome) return; // dry run
  const failed = outcome.drills.filter((d) => d.verdict === 'fail').map((d) => d.drill);
  const errored = outcome.drills.filter((d) => d.verdict === 'error').map((d) => d.drill);
  if (failed.length) throw new ExitError(1, `Drill(s) failed: ${failed.join(', ')}. The offending rows are in ${outcome.reports.dir}.`);
  if (errored.length) throw new ExitError(3, `Drill(s) could not run to a verdict (harness error): ${errored.join(', ')}. See ${outcome.reports.summary}.`);
}

import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl drill ...` (issue 5, drills/README.md): registered here, loaded lazily inside each action.
export function register(program: Command, kit: Kit): void {
  const g = kit.g;
  const drill = program.command('drill').description('chaos drills: real faults under load, business invariants checked from the data, recovery timed (drills/README.md)');
  drill
    .command('list')
    .description('every drill in drills/scenarios/: name, report section, faults, invariants; exit 3 when a drill file is invalid')
    .option('--scenarios <dir>', 'read drill files from this folder (default: drills/scenarios)')
    .addOption(kit.output())
    .action(async (opts) => (await import('./list.ts')).run(g(), opts));
  drill
    .command('show')
    .description('one drill, validated: its faults, blast radius, load, recovery bounds and invariants')
    .argument('<name>', 'drill name, e.g. poison-messages (see `drill list`)')
    .option('--scenarios <dir>', 'read drill files from this folder (default: drills/scenarios)')
    .addOption(kit.output())
    .action(async (name, opts) => (await import('./show.ts')).run(g(), name, opts));
  kit
    .mutating(
      drill
        .command('run')
        .description("run drills against the context's stack; exit 0 all pass, 1 an invariant broke or the stack did not recover, 3 harness/config error")
        .argument('[names...]', 'drills to run, in this order (see `drill list`)')
        .option('--all', 'run every drill in drills/scenarios/')
        .option('--seed <n>', 'seed of the load generator (same seed, same load); default: random, printed', kit.int('--seed', 0, 2 ** 31 - 1))
        .option('--report-dir <dir>', "where the run's folder of reports goes (default: <stack dir>/reports)")
        .option('--scenarios <dir>', 'read drill files from this folder (default: drills/scenarios)'),
    )
    .action(async (names, opts) => (await import('./run.ts')).run(g(), names, opts));
  kit
    .mutating(
      drill
        .command('cleanup')
        .description('revert every fault the fault log shows as still applied (after a crashed or killed runner); safe to repeat')
        .option('--force', 'also revert faults of a drill runner that is still running'),
    )
    .action(async (opts) => (await import('./cleanup.ts')).run(g(), opts));
}

// drills/: the chaos drills: drill files, the runner, faults, invariants and reports.
// ticketctl's `drill` commands use these; the drills never import the CLI.

export { faultsToClean, revertFaults } from './cleanup.ts';
export type { RevertOutcome } from './cleanup.ts';
export { faultLogPath } from './fault-log.ts';
export { blastRadius, describeFault, unsupportedOn } from './faults/index.ts';
export { SCENARIO_DIR, drillNames, readDrill, readDrills } from './format/files.ts';
export { DrillFormatError } from './format/validate.ts';
export type { DrillJournal } from './report/journal.ts';
export { summaryLines } from './report/summary.ts';
export { writeReports } from './report/write.ts';
export type { ReportFiles } from './report/write.ts';
export { createDrillEnv, faultEnvFor } from './runner/env.ts';
export { newRunId, runDrill } from './runner/run-drill.ts';

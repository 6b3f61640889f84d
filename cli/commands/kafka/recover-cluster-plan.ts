import type { Plan } from '../../shared/mutation.ts';

// Runbook 4.1.2 (whole cluster down) as a mutation plan: stop every broker cleanly,
// optionally archive their data folders, start them, wait for the controller quorum and
// every broker, recreate missing saga topics, wait for full ISRs, elect preferred leaders,
// and wait until the service instances are healthy again. Pure: built from what the
// command read, so the plan the operator reviews is tested without a cluster.

export interface RecoverPlanData {
  stackDir: string;
  /** Where the brokers run ("local processes under /x/.stack", "compose project ticketing (...)"). */
  platform: string;
  platformKind: 'local' | 'compose';
  /** unit null: not running (crashed or killed), so there is nothing to stop. dataDir: a folder, or "volume <name>"; dataBytes null when unknown. */
  brokers: Array<{ id: number; component: string; pid: number | null; unit: string | null; dataDir: string; dataBytes: number | null }>;
  /** The archive --backup writes; null without --backup. */
  backupFile: string | null;
  topics: {
    expected: string[];
    layout: { partitions: number; replicationFactor: number; minInsyncReplicas: number };
    /** Saga topics missing right now; null when the cluster did not answer to plan with. */
    missingNow: string[] | null;
  };
  /** Service instances of the context; those not answering at all are not waited for. */
  services: Array<{ url: string; answering: boolean }>;
  timeoutS: number;
}

const mb = (bytes: number | null) => (bytes === null ? 'size unknown' : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

export function recoverPlan(d: RecoverPlanData, stopTimeoutMs: number, startTimeoutMs: number): Plan<RecoverPlanData> {
  const running = d.brokers.filter((b) => b.unit !== null);
  const dead = d.brokers.filter((b) => b.unit === null);
  const names = d.brokers.map((b) => b.component).join(', ');
  const waited = d.services.filter((s) => s.answering);
  const { partitions, replicationFactor, minInsyncReplicas } = d.topics.layout;
  const steps: string[] = [];
  if (running.length) {
    steps.push(
      `stop ${running.map((b) => `${b.component} (${b.unit})`).join(', ')} with SIGTERM, in parallel: a clean shutdown flushes and closes the logs (up to ${stopTimeoutMs / 1000} s each, then SIGKILL)`,
    );
  }
  if (d.backupFile) {
    const total = d.brokers.some((b) => b.dataBytes === null) ? null : d.brokers.reduce((n, b) => n + (b.dataBytes ?? 0), 0);
    steps.push(`archive the stopped brokers' data (${d.brokers.map((b) => b.dataDir).join(', ')}; ${mb(total)}) to ${d.backupFile}`);
  }
  steps.push(`start ${names} (${d.platform}) and wait until each answers (up to ${startTimeoutMs / 1000} s)`);
  steps.push(`wait for the KRaft controller quorum (a leader, ${d.brokers.length} voters) and every broker registered`);
  const missing = d.topics.missingNow;
  steps.push(
    `recreate missing saga topics (${missing === null ? 'checked once the cluster answers' : missing.length ? `missing now: ${missing.join(', ')}` : 'none missing now'}) with ${partitions} partitions, RF ${replicationFactor}, min.insync.replicas ${minInsyncReplicas}; make sure __consumer_offsets exists`,
  );
  steps.push(`verify the saga topics' layout, and wait until every partition's ISR holds all its replicas`);
  steps.push('preferred leader election for partitions not led by their preferred replica, then verify');
  if (waited.length) steps.push(`wait until ${waited.map((s) => s.url).join(', ')} answer /health 200`);

  const notes = [
    ...(dead.length ? [`${dead.map((b) => b.component).join(', ')} not running: nothing to stop, only started`] : []),
    ...d.services.filter((s) => !s.answering).map((s) => `${s.url} does not answer now: not waited for (start it with \`ticketctl stack up\`)`),
    `the waits after the start share one deadline: ${d.timeoutS} s (--timeout)`,
    'producers and consumers fail or pause while every broker is down; payments accepted meanwhile wait in the outbox and are published once Kafka is back',
    ...(d.backupFile ? [] : ['no backup is taken (--backup archives the data folders first); the data folders are kept as they are either way']),
  ];
  const only = d.brokers.map((b) => b.component).join(' ');
  const rollback = !d.backupFile
    ? undefined
    : d.platformKind === 'compose'
      ? `restore the archived data (it loses what was written after it): \`ticketctl stack down --platform compose\` is not needed; stop the brokers (\`docker compose stop ${only}\`), empty each volume and untar its folder of ${d.backupFile} into it (e.g. \`docker run --rm -v <volume>:/data -v ${d.backupFile}:/b.tgz:ro <broker image> tar -xzf /b.tgz -C /data --strip-components=1 <kafka-N>\`), then \`ticketctl stack up --context compose --only ${only}\``
      : `restore the archived data (it loses what was written after it): \`ticketctl stack down --only ${d.brokers.map((b) => b.component).join(' ')}\`; move ${d.brokers.map((b) => b.dataDir).join(', ')} aside; \`tar -xzf ${d.backupFile} -C ${dataRoot(d)}\`; \`ticketctl stack up --only ${d.brokers.map((b) => b.component).join(' ')}\``;
  return {
    title: `recover the whole Kafka cluster (${names})`,
    steps,
    notes,
    ...(rollback ? { rollback } : {}),
    data: d,
  };
}

/** The folder holding every broker's data folder (the archive's paths are relative to it). */
export function dataRoot(d: Pick<RecoverPlanData, 'brokers'>): string {
  const dir = d.brokers[0]?.dataDir ?? '';
  return dir.slice(0, dir.lastIndexOf('/')) || '/';
}

import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { OpsError, errorMessage } from '../../../lib/index.ts';

// The optional backup of runbook 4.1.2: the stopped brokers' data folders as one tar.gz
// under the stack folder (`tar`, the one external program here). Taken only while every
// broker is stopped, so the logs and the KRaft metadata in it are consistent.

export function backupFileFor(stackDir: string, at = new Date()): string {
  return path.join(stackDir, 'backups', `kafka-data-${at.toISOString().replace(/[:.]/g, '-')}.tar.gz`);
}

/**
 * Bytes on disk under a folder (0 when it does not exist): the plan says how much is
 * archived. Allocated blocks, not apparent sizes: Kafka preallocates its index files
 * sparse (10 MB each, nearly all holes).
 */
export function folderBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).blocks * 512;
  }
  return total;
}

/** tar -czSf <file> -C <root> <names...> (-S keeps sparse index files sparse); returns the archive's size in bytes. */
export async function archiveDataDirs(file: string, root: string, names: string[]): Promise<number> {
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

import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

// Where the optional backup of runbook 4.1.2 goes, and how big the local data folders are.
// The archive itself is the platform's (stack/platforms: a tar of the folders, or of the
// compose volumes), taken only while every broker is stopped, so the logs and the KRaft
// metadata in it are consistent.

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

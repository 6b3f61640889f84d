/**
 * Whether a process with this id exists on this machine (signal 0: nothing is sent).
 * EPERM means it exists but belongs to another user. Says nothing about *which* process
 * holds the id: where that matters, compare its start time (stack/supervisor).
 */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

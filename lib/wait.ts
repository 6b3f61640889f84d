import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from './errors.ts';

// Wait for a condition instead of sleeping a guessed time. Polls `probe` until it returns
// a value other than undefined/false, or the deadline passes; the last error is kept so a
// timeout says *why* the condition never held.

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** What is being waited for, for the timeout message. */
  what: string;
  signal?: AbortSignal;
}

export class WaitTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, lastError: unknown) {
    const why = lastError === undefined ? '' : `: last attempt said ${errorMessage(lastError)}`;
    super(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${why}`, lastError === undefined ? undefined : { cause: lastError });
    this.name = 'WaitTimeoutError';
  }
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, options: WaitOptions): Promise<T> {
  const { timeoutMs, intervalMs = 250, what, signal } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) throw new WaitTimeoutError(what, timeoutMs, lastError);
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())), signal);
  }
}

/** Sleeps; an abort rejects with the signal's own reason (not a generic AbortError). */
export async function delay(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  }
}

import { errorMessage } from '../../lib/index.ts';
import type { ProbeResult } from '../components/types.ts';

/** Runs one probe with a deadline; any error or timeout becomes `answers: false`. */
export async function probeWithin(timeoutMs: number, fn: () => Promise<string>): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return { answers: true, detail: await Promise.race([fn(), timeout]) };
  } catch (err) {
    return { answers: false, detail: errorMessage(err).split('\n')[0] ?? 'error' };
  } finally {
    clearTimeout(timer);
  }
}

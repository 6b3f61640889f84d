import { delay } from '../../lib/index.ts';

// Holds expire; this loop releases them (report 2.0.1 scenario A: a seat must never stay
// locked forever). Every instance runs one; SKIP LOCKED lets them share the work. The
// rows change in the store (service/store/holds.ts expireHolds, move expireHold).

export interface Sweeper {
  start(): void;
  stop(): Promise<void>;
}

export function createSweeper(sweep: () => Promise<number>, intervalMs: number, onError?: (err: unknown) => void): Sweeper {
  let running = false;
  let loop: Promise<void> | undefined;
  const stopper = new AbortController();
  return {
    start() {
      if (running) return;
      running = true;
      loop = (async () => {
        while (running) {
          try {
            while ((await sweep()) > 0 && running);
          } catch (err) {
            onError?.(err);
          }
          await delay(intervalMs, stopper.signal).catch(() => {});
        }
      })();
    },
    async stop() {
      running = false;
      stopper.abort();
      await loop;
    },
  };
}

// How many charge and refund requests the stand-in is working on right now, from the
// moment a request arrives to its ledger write (and any held-back answer). A caller that
// gave up (its timeout fired) does not end the work: a processor keeps going, and a
// charge held back by `latencyMs` is recorded when the delay is over. Drills read this
// (GET /health, `inFlight`) to know when every late charge has landed before they judge
// the ledger; a real processor offers no such number, which is why reconciliation exists.

export interface InFlight {
  run<T>(fn: () => Promise<T>): Promise<T>;
  count(): number;
}

export function createInFlight(): InFlight {
  let n = 0;
  return {
    async run(fn) {
      n++;
      try {
        return await fn();
      } finally {
        n--;
      }
    },
    count: () => n,
  };
}

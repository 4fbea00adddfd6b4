/**
 * Spaces calls evenly at `perSecond` across everything that shares it (all batches of a worker
 * process), so a reconciliation never sends CodePay more than RECONCILIATION_QUERIES_PER_SECOND.
 * Ten lines rather than a library: one process, one rate, no bursts wanted.
 */
export function createPacer(perSecond: number, clock: { now: () => number; sleep: (ms: number) => Promise<void> } = realClock): () => Promise<void> {
  const spacingMs = 1000 / perSecond;
  let next = 0;
  return async () => {
    const now = clock.now();
    const at = Math.max(now, next);
    next = at + spacingMs;
    if (at > now) await clock.sleep(at - now);
  };
}

const realClock = { now: () => performance.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };

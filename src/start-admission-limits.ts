/**
 * How many payment starts the API lets reach Temporal at once and queue (api/start-admission.ts,
 * docs/performance.md "Holding load"): plain limits, below config, which reads API_START_* into them.
 */
export interface StartAdmissionLimits {
  /** Starts in flight at Temporal at once (per API process). */
  concurrency: number;
  /** Starts waiting for a slot; one more is refused at once. */
  queue: number;
  /** Longest a start may wait for a slot; a start expected to wait longer is refused at once. */
  maxWaitMs: number;
}

/**
 * Sized for the 2-core bench (docs/performance.md, "Holding load"): 4 in flight, since at 8 a
 * loaded machine let admitted starts outlast the budget. The wait: 50 checkouts in flight on the
 * quiet machine (~7–8 payments/s) queue their starts ~6–7 s, so 15 s holds them all, and a start
 * refused after it plus the 3.5 s Temporal budget still answers within a merchant's usual 30 s
 * HTTP timeout. API_START_* override them.
 */
export const DEFAULT_START_ADMISSION: StartAdmissionLimits = { concurrency: 4, queue: 256, maxWaitMs: 15_000 };

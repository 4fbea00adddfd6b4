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
 * Sized for the 2-core bench (docs/performance.md, "Holding load"): a quiet machine finishes ~10
 * starts/s at ~0.15 s each (≈ 1.5 in flight), so 4 leaves headroom; at 8 a loaded one let admitted
 * starts outlast the budget. API_START_* override them.
 */
export const DEFAULT_START_ADMISSION: StartAdmissionLimits = { concurrency: 4, queue: 256, maxWaitMs: 8_000 };

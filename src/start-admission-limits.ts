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

/** Sized on the 2-core bench (docs/performance.md, "Holding load"); API_START_* override them. */
export const DEFAULT_START_ADMISSION: StartAdmissionLimits = { concurrency: 8, queue: 256, maxWaitMs: 8_000 };

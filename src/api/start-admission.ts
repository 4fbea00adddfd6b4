/**
 * Admission control for payment starts (docs/performance.md, "Holding load"). A start that Temporal
 * accepted runs to its end whether or not anyone still waits for the answer (the workflow, the
 * order at CodePay), so the API must never give up on one it sent: it lets at most `concurrency`
 * starts reach Temporal at once and queues the rest here, where waiting costs nothing. A start
 * that would wait longer than `maxWaitMs` is refused at once with a Retry-After, before any work;
 * a queued start whose client went away leaves the queue without being sent.
 *
 * Hand-rolled rather than p-limit/p-queue: the refusal must be decided at the door from the queue
 * and the recent service time, which neither offers, and both are ESM-only.
 */
import type { StartAdmissionLimits } from '../start-admission-limits';

export type Refusal = 'queue-full' | 'expected-wait' | 'waited-too-long';

/** The start was not sent to Temporal: nothing of it exists; the same request may be retried. */
export class StartRefused extends Error {
  override name = 'StartRefused';
  constructor(
    readonly reason: Refusal,
    readonly retryAfterSeconds: number,
  ) {
    super(`payment starts are at capacity (${reason}); retry after ${retryAfterSeconds} s`);
  }
}

/** The client went away while its start was queued: it was never sent. */
export class StartAbandoned extends Error {
  override name = 'StartAbandoned';
}

export interface StartAdmission {
  /** Waits for a slot; resolves with the function that frees it (call it once the start's Temporal call ended). */
  enter(signal?: AbortSignal): Promise<() => void>;
  readonly inFlight: number;
  readonly queued: number;
}

interface Waiter {
  admit(): void;
}

/** Smoothing of the service-time estimate: the last ~10 starts weigh most. */
const SERVICE_EWMA = 0.2;
/** Retry-After bounds (s): at least one, and never so long that a shop gives up on a start that would pass. */
const RETRY_AFTER_MIN_S = 1;
const RETRY_AFTER_MAX_S = 10;

export function createStartAdmission(limits: StartAdmissionLimits, now: () => number = () => performance.now()): StartAdmission {
  let inFlight = 0;
  const waiting: Waiter[] = [];
  /** Mean time a start holds its slot (ms); undefined until the first one ended. */
  let serviceMs: number | undefined;

  const retryAfter = (waitMs: number) => Math.min(RETRY_AFTER_MAX_S, Math.max(RETRY_AFTER_MIN_S, Math.ceil(waitMs / 1000)));
  /** When the start at queue position `position` (0 = next) is expected to get its slot. */
  const expectedWaitMs = (position: number) => (serviceMs === undefined ? 0 : ((position + 1) * serviceMs) / limits.concurrency);

  const admitted = (): (() => void) => {
    inFlight += 1;
    const since = now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const took = now() - since;
      serviceMs = serviceMs === undefined ? took : serviceMs + SERVICE_EWMA * (took - serviceMs);
      inFlight -= 1;
      waiting.shift()?.admit();
    };
  };

  return {
    get inFlight() {
      return inFlight;
    },
    get queued() {
      return waiting.length;
    },
    enter(signal) {
      if (signal?.aborted) return Promise.reject(new StartAbandoned('the client went away before its start was sent'));
      if (inFlight < limits.concurrency && waiting.length === 0) return Promise.resolve(admitted());
      if (waiting.length >= limits.queue) return Promise.reject(new StartRefused('queue-full', retryAfter(expectedWaitMs(waiting.length))));
      const expected = expectedWaitMs(waiting.length);
      if (expected > limits.maxWaitMs) return Promise.reject(new StartRefused('expected-wait', retryAfter(expected - limits.maxWaitMs)));
      return new Promise((resolve, reject) => {
        const leave = () => {
          const at = waiting.indexOf(waiter);
          if (at >= 0) waiting.splice(at, 1);
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        };
        const waiter: Waiter = {
          admit: () => {
            leave();
            resolve(admitted());
          },
        };
        const onAbort = () => {
          leave();
          reject(new StartAbandoned('the client went away while its start was queued'));
        };
        const timer = setTimeout(() => {
          leave();
          reject(new StartRefused('waited-too-long', retryAfter(expectedWaitMs(waiting.length))));
        }, limits.maxWaitMs);
        timer.unref();
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(waiter);
      });
    },
  };
}

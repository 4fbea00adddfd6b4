import type { PaymentState } from './payment-state';

/** Seconds first, minutes later: a lost notification is noticed fast, a slow shopper costs little. */
export const DEFAULT_POLL_SCHEDULE_MS: readonly number[] = [5, 10, 20, 40, 60, 120, 300].map((s) => s * 1000);

/** The delay before poll number `attempt` (0-based); the schedule's last delay repeats. */
export function pollDelayMs(schedule: readonly number[] | undefined, attempt: number): number {
  const delays = schedule && schedule.length > 0 ? schedule : DEFAULT_POLL_SCHEDULE_MS;
  return delays[Math.min(attempt, delays.length - 1)]!;
}

export type AwaitingStep = { kind: 'expire' } | { kind: 'wait'; untilMs: number };

/**
 * An unpaid payment's next step: past its deadline (and not already closing), expire it; else
 * wait for a notification until the next poll or the deadline, whichever comes first. The poll is
 * due its delay after `sinceMs` (the previous poll, or the start of the wait): a notification that
 * wakes the wait does not move it.
 */
export function awaitingStep(state: Pick<PaymentState, 'expiresAt' | 'closing'>, polls: number, nowMs: number, schedule: readonly number[] | undefined, sinceMs: number): AwaitingStep {
  const expiresMs = Date.parse(state.expiresAt);
  if (expiresMs <= nowMs && !state.closing) return { kind: 'expire' };
  const pollMs = sinceMs + pollDelayMs(schedule, polls);
  return { kind: 'wait', untilMs: expiresMs > nowMs ? Math.min(pollMs, expiresMs) : pollMs };
}

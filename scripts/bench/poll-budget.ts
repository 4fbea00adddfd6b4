/**
 * How many CodePay Query order calls a payment costs when its notifications never arrive, worked
 * out from the poll schedule alone (docs/design.md §2.3): polls follow the schedule (its last delay
 * repeats) from the order's creation; at the deadline the workflow queries, closes the order and
 * queries again. The lost-notification benchmark checks these figures against the sandbox's count.
 */
const EXPIRY_QUERIES = 2;
const EXPIRY_CANCELS = 1;

/** Poll instants in ms after creation, strictly before `untilMs`. */
export function pollInstantsMs(scheduleMs: readonly number[], untilMs: number): number[] {
  if (scheduleMs.length === 0 || scheduleMs.some((d) => !(d > 0))) throw new Error('poll schedule needs positive delays');
  const instants: number[] = [];
  let at = 0;
  for (let attempt = 0; ; attempt += 1) {
    at += scheduleMs[Math.min(attempt, scheduleMs.length - 1)]!;
    if (at >= untilMs) return instants;
    instants.push(at);
  }
}

export interface ExpiryBudget {
  /** Polls while the order is open. */
  polls: number;
  /** Polls plus the query before and after closing at the deadline. */
  queries: number;
  cancels: number;
}

/** An order nobody pays, whose notifications never come, from creation to EXPIRED. */
export function unpaidOrderBudget(scheduleMs: readonly number[], expiresMs: number): ExpiryBudget {
  const polls = pollInstantsMs(scheduleMs, expiresMs).length;
  return { polls, queries: polls + EXPIRY_QUERIES, cancels: EXPIRY_CANCELS };
}

/**
 * An order paid `paidAtMs` after creation whose notification is lost: the first poll at or after
 * the payment finds it, so this counts the polls up to and including that one (or the expiry's
 * first query, if no poll comes before the deadline).
 */
export function lostNotificationQueries(scheduleMs: readonly number[], paidAtMs: number, expiresMs: number): number {
  const polls = pollInstantsMs(scheduleMs, expiresMs);
  const finding = polls.findIndex((at) => at >= paidAtMs);
  return finding === -1 ? polls.length + 1 : finding + 1;
}

/** When the poll that finds a payment made `paidAtMs` after creation runs (ms after creation). */
export function findingPollAtMs(scheduleMs: readonly number[], paidAtMs: number, expiresMs: number): number {
  return pollInstantsMs(scheduleMs, expiresMs).find((at) => at >= paidAtMs) ?? expiresMs;
}

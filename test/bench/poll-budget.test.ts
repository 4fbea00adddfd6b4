import { DEFAULT_POLL_SCHEDULE_MS } from '../../src/workflows/poll-schedule';
import { findingPollAtMs, lostNotificationQueries, pollInstantsMs, unpaidOrderBudget } from '../../scripts/bench/poll-budget';

const s = (...seconds: number[]) => seconds.map((x) => x * 1000);

describe('poll budget from the schedule', () => {
  it('lists poll instants as the running sum of the delays, the last delay repeating, strictly before the deadline', () => {
    expect(pollInstantsMs(s(5, 10, 20), 60_000)).toEqual(s(5, 15, 35, 55));
    expect(pollInstantsMs(s(5, 10), 15_000)).toEqual(s(5));
  });

  it('keeps the default schedule within 12 queries for a 15-minute expiry with no notification', () => {
    // 5, 15, 35, 75, 135, 255, 555, 855 s, then query + close + query at 900 s.
    expect(unpaidOrderBudget(DEFAULT_POLL_SCHEDULE_MS, 900_000)).toEqual({ polls: 8, queries: 10, cancels: 1 });
  });

  it('counts the polls up to the first one at or after the payment', () => {
    expect(lostNotificationQueries(s(5, 10, 20), 3_000, 900_000)).toBe(1);
    expect(lostNotificationQueries(s(5, 10, 20), 5_000, 900_000)).toBe(1);
    expect(lostNotificationQueries(s(5, 10, 20), 5_001, 900_000)).toBe(2);
    expect(findingPollAtMs(s(5, 10, 20), 16_000, 900_000)).toBe(35_000);
  });

  it('falls back to the expiry query when no poll comes after the payment', () => {
    // polls at 5, 15, …, 55 s; paid at 56 s: six polls, then the query at the deadline finds it.
    expect(lostNotificationQueries(s(5, 10), 56_000, 60_000)).toBe(7);
    expect(findingPollAtMs(s(5, 10), 58_000, 60_000)).toBe(60_000);
  });

  it('rejects a schedule that would never advance', () => {
    expect(() => pollInstantsMs([], 1000)).toThrow();
    expect(() => pollInstantsMs([0], 1000)).toThrow();
  });
});

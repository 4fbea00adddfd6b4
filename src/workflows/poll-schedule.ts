/** Seconds first, minutes later: a lost notification is noticed fast, a slow shopper costs little. */
export const DEFAULT_POLL_SCHEDULE_MS: readonly number[] = [5, 10, 20, 40, 60, 120, 300].map((s) => s * 1000);

/** The delay before poll number `attempt` (0-based); the schedule's last delay repeats. */
export function pollDelayMs(schedule: readonly number[] | undefined, attempt: number): number {
  const delays = schedule && schedule.length > 0 ? schedule : DEFAULT_POLL_SCHEDULE_MS;
  return delays[Math.min(attempt, delays.length - 1)]!;
}

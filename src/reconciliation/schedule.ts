import { type Client, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { RECONCILIATION_WORKFLOW_TYPE, type ReconciliationInput } from '../workflows/reconciliation-messages';

/** docs/design.md §11: the daily reconciliation, visible in the Web UI's Schedules page. */
export const RECONCILIATION_SCHEDULE_ID = 'reconciliation-daily';

/**
 * Creates the schedule, or brings an existing one to `cron` (every worker does this at start, so it
 * is idempotent); `cron` undefined (RECONCILIATION_CRON=off) removes it. A run still going when
 * the next is due makes that one skip; after downtime the missed run is taken (catch-up window of
 * a day), and it checks the day it was due for.
 */
export async function ensureReconciliationSchedule(
  client: Client,
  options: { cron?: string; taskQueue: string; scheduleId?: string },
): Promise<'created' | 'updated' | 'removed' | 'absent'> {
  const scheduleId = options.scheduleId ?? RECONCILIATION_SCHEDULE_ID;
  const handle = client.schedule.getHandle(scheduleId);
  if (options.cron === undefined) {
    try {
      await handle.delete();
      return 'removed';
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) return 'absent';
      throw error;
    }
  }
  const spec = { cronExpressions: [options.cron] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: RECONCILIATION_WORKFLOW_TYPE,
    workflowId: scheduleId,
    taskQueue: options.taskQueue,
    args: [{ trigger: 'schedule' as const }] satisfies ReconciliationInput[],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' as const };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await handle.update((previous) => ({ ...previous, spec, action, policies }));
  return 'updated';
}

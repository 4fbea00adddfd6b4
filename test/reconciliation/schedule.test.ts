import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { createReconciliationActivities } from '../../src/activities/reconciliation-activities';
import type { CodePayActivities } from '../../src/activities/codepay-activities';
import { createPacer } from '../../src/reconciliation/pacer';
import { ReportStore } from '../../src/reconciliation/report-store';
import { ensureReconciliationSchedule } from '../../src/reconciliation/schedule';
import { connectTestTemporal, createTestWorker, type TestTemporal, uniqueTaskQueue } from '../harness/temporal';
import { waitFor } from '../harness/wait-for';

/** The daily schedule (docs/design.md §11) against the run's dev server, under an id of this test's own. */
describe('reconciliation schedule', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal?.close());

  it('is created, then updated idempotently, skips overlaps, catches up a day; off removes it', async () => {
    const scheduleId = `reconciliation-test-${Date.now()}`;
    const taskQueue = uniqueTaskQueue('schedule');
    const ensure = (cron?: string) => ensureReconciliationSchedule(temporal.client, { cron, taskQueue, scheduleId });
    expect(await ensure('30 2 * * *')).toBe('created');
    expect(await ensure('30 2 * * *')).toBe('updated');
    expect(await ensure('15 3 * * *')).toBe('updated');
    const described = await temporal.client.schedule.getHandle(scheduleId).describe();
    expect(described.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 15, end: 15, step: 1 }] })]);
    expect(described.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 24 * 3600 * 1000 });
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconciliationWorkflow', taskQueue, args: [{ trigger: 'schedule' }] });

    // A run now checks the previous UTC day.
    const reportsDir = mkdtempSync(path.join(tmpdir(), 'schedule-reports-'));
    const codepay: Pick<CodePayActivities, 'queryOrder' | 'queryRefund'> = {
      queryOrder: () => Promise.reject(new Error('no payments on this queue')),
      queryRefund: () => Promise.reject(new Error('no payments on this queue')),
    };
    const activities = createReconciliationActivities({ client: temporal.client, codepay, store: new ReportStore(reportsDir), pace: createPacer(100) });
    const worker: Worker = await createTestWorker(temporal, { activities, taskQueue });
    const running = worker.run();
    try {
      await temporal.client.schedule.getHandle(scheduleId).trigger();
      const store = new ReportStore(reportsDir);
      const [summary] = await waitFor(() => Promise.resolve(store.summaries()), (s) => s[0]?.status === 'COMPLETED');
      const today = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
      expect(summary).toMatchObject({ trigger: 'schedule', from: new Date(today.getTime() - 86_400_000).toISOString(), to: today.toISOString(), checked: 0, total: 0 });
      expect(summary!.id.startsWith(scheduleId)).toBe(true);
    } finally {
      worker.shutdown();
      await running;
    }

    expect(await ensure(undefined)).toBe('removed');
    expect(await ensure(undefined)).toBe('absent');
  });
});

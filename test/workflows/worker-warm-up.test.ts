import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { createCodePayActivities } from '../../src/activities/codepay-activities';
import { localActivityType } from '../../src/tools/history-events';
import { warmUpWorkflows } from '../../src/worker';
import { connectTestTemporal, createTestWorker, type TestTemporal } from '../harness/temporal';
import { waitFor } from '../harness/wait-for';
import { FakeCodePay } from './fake-codepay';

describe('worker warm-up workflow', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  it('runs through one local activity, calling nothing and creating no payment', async () => {
    const fake = new FakeCodePay();
    const worker = await createTestWorker(temporal, { activities: createCodePayActivities(fake) });
    const handle = await worker.runUntil(async () => {
      const started = await temporal.client.workflow.start('workerWarmUpWorkflow', { taskQueue: worker.options.taskQueue, workflowId: `warm-up-test-${Date.now()}` });
      expect(await started.result()).toBe('PAID');
      return started;
    });
    expect(fake.calls).toEqual([]);
    const history = await handle.fetchHistory();
    expect(history.events!.map(localActivityType).filter((t) => t)).toEqual(['emitMerchantEvents']);
    expect(history.events!.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
  });

  it('runs on the starting process’s worker and leaves nothing in the workflow list', async () => {
    const fake = new FakeCodePay();
    const worker = await createTestWorker(temporal, { activities: createCodePayActivities(fake) });
    // The worker's own connection, as worker.ts does: eager start needs a client sharing it.
    const client = new Client({ connection: temporal.nativeConnection });
    const { workflowId, ms, deleted } = await worker.runUntil(warmUpWorkflows(client, worker.options.taskQueue));
    expect(ms).toBeGreaterThan(0);
    expect(deleted).toBe(true);
    expect(fake.calls).toEqual([]);
    // The server deletes asynchronously: the execution, then its visibility record (the Web UI's list).
    const gone = () => client.workflow.getHandle(workflowId).describe().then(() => false, (err: unknown) => err instanceof WorkflowNotFoundError);
    await waitFor(gone, (g) => g, { timeoutMs: 90_000, intervalMs: 500 });
    await waitFor(async () => (await client.workflow.count(`WorkflowId = "${workflowId}"`)).count, (n) => n === 0, { timeoutMs: 90_000, intervalMs: 500 });
    // The server's deletion queue lags far behind on a loaded 2-core machine (over 50 s once in CI's full suite).
  }, 200_000);
});

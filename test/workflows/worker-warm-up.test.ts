import { Client } from '@temporalio/client';
import { createCodePayActivities } from '../../src/activities/codepay-activities';
import { localActivityType } from '../../src/tools/history-events';
import { warmUpWorkflows } from '../../src/worker';
import { connectTestTemporal, createTestWorker, type TestTemporal } from '../harness/temporal';
import { FakeCodePay } from './fake-codepay';

describe('worker warm-up workflow', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  it('runs on the starting process’s worker through one local activity, calling nothing and creating no payment', async () => {
    const fake = new FakeCodePay();
    const worker = await createTestWorker(temporal, { activities: createCodePayActivities(fake) });
    // The worker's own connection, as worker.ts does: eager start needs a client sharing it.
    const client = new Client({ connection: temporal.nativeConnection });
    const { workflowId, ms } = await worker.runUntil(warmUpWorkflows(client, worker.options.taskQueue));
    expect(ms).toBeGreaterThan(0);
    expect(fake.calls).toEqual([]);
    const handle = client.workflow.getHandle(workflowId);
    expect(await handle.describe()).toMatchObject({ type: 'workerWarmUpWorkflow', status: { name: 'COMPLETED' } });
    expect(await handle.result()).toBe('PAID');
    const history = await handle.fetchHistory();
    expect(history.events!.map(localActivityType).filter((t) => t)).toEqual(['emitMerchantEvents']);
    expect(history.events!.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
  });
});

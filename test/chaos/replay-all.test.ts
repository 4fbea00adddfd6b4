import { Client } from '@temporalio/client';
import { createCodePayActivities } from '../../src/activities/codepay-activities';
import { warmUpWorkflows } from '../../src/worker';
import { warmUpWasDeleted } from '../../scripts/chaos/replay-all';
import { connectTestTemporal, createTestWorker, type TestTemporal } from '../harness/temporal';
import { FakeCodePay } from '../workflows/fake-codepay';

/**
 * The chaos run's replay step lists every workflow, then fetches each history: a warm-up its
 * worker deleted in between (CI's cluster slice, 2026-12-06: "Requested workflow history not
 * found") is nothing to replay, while any other history that does not fetch is a failure.
 */
describe('replay everything: a warm-up deleted after the list', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  it('counts as deleted only once the execution is gone, and only for warm-ups', async () => {
    const worker = await createTestWorker(temporal, { activities: createCodePayActivities(new FakeCodePay()) });
    const client = new Client({ connection: temporal.nativeConnection });
    const [kept, deleted] = await worker.runUntil(async () => {
      const handle = await client.workflow.start('workerWarmUpWorkflow', { taskQueue: worker.options.taskQueue, workflowId: `warm-up-kept-${Date.now()}` });
      await handle.result();
      const warmUp = await warmUpWorkflows(client, worker.options.taskQueue);
      expect(warmUp.deleted).toBe(true);
      return [{ workflowId: handle.workflowId, runId: handle.firstExecutionRunId }, warmUp];
    });

    expect(await warmUpWasDeleted(client, { workflowId: deleted.workflowId, runId: deleted.runId, type: 'workerWarmUpWorkflow' }, 90_000)).toBe(true);
    expect(await warmUpWasDeleted(client, { ...kept, type: 'workerWarmUpWorkflow' }, 1_000)).toBe(false);
    // The same gone execution under another type is never excused.
    expect(await warmUpWasDeleted(client, { workflowId: deleted.workflowId, runId: deleted.runId, type: 'paymentWorkflow' }, 1_000)).toBe(false);
  }, 150_000);
});

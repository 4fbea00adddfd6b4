import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { requireBinaryPath, TEMPORAL_TEST_SERVER } from '../src/tools/temporal-binaries';
import { PaymentStatusKey } from '../src/workflows/search-attributes';
import { fixtureActivities } from './harness/fixture-activities';
import { addItemSignal, finishUpdate, fixtureWorkflow, itemsQuery } from './harness/fixture-workflow';
import { connectTestTemporal, createTestWorker, TestTemporal } from './harness/temporal';
import { BUNDLE_PATH_ENV } from './harness/env-names';
import { waitFor } from './harness/wait-for';

describe('dev server harness', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  it('round-trips an activity, a signal, an update and a query', async () => {
    const worker = await createTestWorker(temporal, { activities: fixtureActivities });
    const result = await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(fixtureWorkflow, {
        taskQueue: worker.options.taskQueue,
        workflowId: `fixture-${Date.now()}`,
        args: ['temporal'],
      });
      await handle.signal(addItemSignal, 'signalled');
      const items = await waitFor(() => handle.query(itemsQuery), (i) => i.length === 2);
      expect(items).toEqual(['hello temporal', 'signalled']);
      await expect(handle.executeUpdate(finishUpdate, { args: [''] })).rejects.toMatchObject({ cause: { message: 'closing item required' } });
      expect(await handle.executeUpdate(finishUpdate, { args: ['updated'] })).toBe(3);
      return handle.result();
    });
    expect(result).toBe('hello temporal,signalled,updated');
  });

  it('has the payment search attributes registered', async () => {
    const response = await temporal.client.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(response.customAttributes).toHaveProperty(PaymentStatusKey.name);
    expect(Object.keys(response.customAttributes)).toEqual(
      expect.arrayContaining(['PaymentStatus', 'MerchantOrderNo', 'CodePayTransNo', 'AmountMinor', 'Currency', 'PaymentCreatedAt']),
    );
  });

  it('surfaces a misbehaving workflow as a failure', async () => {
    const worker = await createTestWorker(temporal, {
      activities: { async greet() { throw Object.assign(new Error('boom'), { name: 'Boom' }); } },
    });
    await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(fixtureWorkflow, {
        taskQueue: worker.options.taskQueue,
        workflowId: `fixture-fail-${Date.now()}`,
        args: ['x'],
        workflowExecutionTimeout: '5s',
      });
      await expect(handle.result()).rejects.toThrow();
    });
  });
});

describe('time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: requireBinaryPath(TEMPORAL_TEST_SERVER) } },
    });
  });
  afterAll(() => env?.teardown());

  it('skips an hour of timers in well under a second', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'time-skipping',
      workflowBundle: { codePath: process.env[BUNDLE_PATH_ENV]! },
      activities: fixtureActivities,
    });
    await worker.runUntil(async () => {
      const started = Date.now();
      const before = await env.currentTimeMs();
      await env.client.workflow.execute('sleepFixture', { taskQueue: 'time-skipping', workflowId: 'sleep', args: [3_600_000] });
      const skipped = (await env.currentTimeMs()) - before;
      expect(skipped).toBeGreaterThanOrEqual(3_600_000);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
});

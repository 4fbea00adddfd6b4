import { temporal as proto } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { localActivityType, patchId } from '../../src/tools/history-events';
import { connectTestTemporal, type TestTemporal } from '../harness/temporal';
import { FakeCodePay } from './fake-codepay';
import { withFakeWorker } from './fake-worker';
import { notifyPayment, paymentInput, startPayment, viewOf } from './scenarios';

const { EventType } = proto.api.enums.v1;

/** Event types and local activities of a run's history so far. */
async function shape(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const count = (type: number) => events.filter((e) => e.eventType === type).length;
  return {
    events: events.length,
    workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    activityTasks: events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name),
    localActivities: events.map(localActivityType).filter((t) => t !== undefined),
    patches: events.map(patchId).filter((id) => id !== undefined),
  };
}

describe('the history a payment records', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  it('reaches PAID with every CodePay call as an activity task, recorded before it runs; the merchant-event hand-over a local activity; no patch marker', async () => {
    await withFakeWorker(temporal, async (ctx) => {
      const input = paymentInput();
      const { started, handle } = await startPayment(ctx, input);
      expect(started.status).toBe('AWAITING_PAYMENT');
      await notifyPayment(handle, ctx.fake.pay(input.merchantOrderNo));
      await handle.result();
      const history = await shape(handle);
      expect(new Set(history.localActivities)).toEqual(new Set(['emitMerchantEvents']));
      expect(history.activityTasks).toEqual(expect.arrayContaining(['createWapOrder', 'queryOrder']));
      expect(history.activityTasks).not.toContain('emitMerchantEvents');
      expect(history.patches).toEqual([]);
    });
  });

  it('a slow CodePay call holds no workflow task: the payment answers reads at once meanwhile', async () => {
    const fake = new FakeCodePay();
    const input = paymentInput();
    let queryAnsweredInMs: number | undefined;
    await withFakeWorker(
      temporal,
      async (ctx) => {
        const { handle } = await startPayment(ctx, input);
        // The notification's confirming query hangs 4 s at CodePay.
        ctx.fake.onQueryOrder = (n) => (n === 1 ? new Promise((r) => setTimeout(r, 4_000)) : Promise.resolve());
        await notifyPayment(handle, ctx.fake.pay(input.merchantOrderNo));
        await new Promise((r) => setTimeout(r, 300));
        const asked = Date.now();
        await viewOf(handle);
        queryAnsweredInMs = Date.now() - asked;
        await handle.result();
        expect((await viewOf(handle)).status).toBe('PAID');
      },
      fake,
    );
    // The query runs as an activity task: a read waits for no CodePay call.
    expect(queryAnsweredInMs).toBeLessThan(1_500);
    expect(fake.count('queryOrder')).toBe(1);
  });
});

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

  it('reaches PAID in two workflow tasks: CodePay calls as local-activity markers, no activity task, no patch marker', async () => {
    await withFakeWorker(temporal, async (ctx) => {
      const input = paymentInput();
      const { started, handle } = await startPayment(ctx, input);
      expect(started.status).toBe('AWAITING_PAYMENT');
      await notifyPayment(handle, ctx.fake.pay(input.merchantOrderNo));
      await handle.result();
      const history = await shape(handle);
      expect(history.activityTasks).toEqual([]);
      expect(history.localActivities).toEqual(expect.arrayContaining(['createWapOrder', 'queryOrder']));
      expect(history.patches).toEqual([]);
      // The start (the order created in it) and the notification (confirmed in it; without a refund window the payment completes in it too).
      expect(history.workflowTasks).toBe(2);
    });
  });

  it('a CodePay call slower than the local attempt goes on as an activity task, and the payment answers reads meanwhile', async () => {
    const fake = new FakeCodePay();
    const input = paymentInput();
    let queryAnsweredInMs: number | undefined;
    await withFakeWorker(
      temporal,
      async (ctx) => {
        const { handle } = await startPayment(ctx, input);
        // The first query (the notification's confirmation) hangs longer than the local attempt's 2 s.
        ctx.fake.onQueryOrder = (n) => (n === 1 ? new Promise((r) => setTimeout(r, 4_000)) : Promise.resolve());
        await notifyPayment(handle, ctx.fake.pay(input.merchantOrderNo));
        await new Promise((r) => setTimeout(r, 300));
        const asked = Date.now();
        await viewOf(handle);
        queryAnsweredInMs = Date.now() - asked;
        await handle.result();
        const history = await shape(handle);
        expect(history.activityTasks).toEqual(['queryOrder']);
        expect(history.localActivities).toEqual(expect.arrayContaining(['createWapOrder', 'queryOrder']));
        expect((await viewOf(handle)).status).toBe('PAID');
      },
      fake,
    );
    // A read waits at most for the local attempt (2 s), not for the 4 s CodePay took.
    expect(queryAnsweredInMs).toBeLessThan(3_000);
    expect(fake.count('queryOrder')).toBe(2);
  });
});

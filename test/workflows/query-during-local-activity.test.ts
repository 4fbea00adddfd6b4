import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { createCodePayActivities } from '../../src/activities/codepay-activities';
import { reviewPaymentUpdate, type PaymentView } from '../../src/workflows/messages';
import { connectTestTemporal, createTestWorker, uniqueTaskQueue, type TestTemporal } from '../harness/temporal';
import { waitFor } from '../harness/wait-for';
import { FakeCodePay } from './fake-codepay';
import { notifyPayment, paymentInput, startPayment, viewOf, type ScenarioContext } from './scenarios';

/**
 * A query that reaches a payment while its next workflow task waits for a worker rides on that
 * task. If the task runs a local activity, the SDK answers the query first and then records the
 * activity's marker in this task and what its result commits in a forced next one; a replay applies
 * the result at once. Chaos seed 13 (cluster tier) left such a history that did not replay: the
 * refund window's timer, started in the task and cancelled by the result, vanished on replay. Each
 * case stops the worker, sends the message and a query, starts a worker, and replays the history.
 */
/** How the server names a workflow task it starts in its answer to the previous task's completion. */
const FORCED_TASK = 'request-from-RespondWorkflowTaskCompleted';

describe('a query riding on a workflow task that runs a local activity', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  /** Runs `setUp` on one worker, then `send` with no worker and a query behind it, then a new worker until `settled`. */
  async function withQueryOnTheNextTask(
    setUp: (ctx: ScenarioContext) => Promise<WorkflowHandle>,
    send: (ctx: ScenarioContext, handle: WorkflowHandle) => Promise<unknown>,
    settled: (view: PaymentView) => boolean,
  ): Promise<void> {
    const fake = new FakeCodePay();
    const taskQueue = uniqueTaskQueue();
    const ctx: ScenarioContext = { client: temporal.client, taskQueue, fake };
    const newWorker = () => createTestWorker(temporal, { activities: createCodePayActivities(fake), taskQueue });
    const handle = await (await newWorker()).runUntil(setUp(ctx));
    // No worker now: the message schedules a task that waits, and the query joins it.
    const sent = send(ctx, handle).catch((error: unknown) => error);
    await new Promise((r) => setTimeout(r, 300));
    const queried = viewOf(handle);
    await new Promise((r) => setTimeout(r, 300));
    const view = await (await newWorker()).runUntil(async () => {
      await Promise.all([sent, queried]);
      return waitFor(() => viewOf(handle), settled);
    });
    expect(settled(view)).toBe(true);
    const history = await handle.fetchHistory();
    // The split happened: a task started straight from the previous task's completion (forced).
    expect(history.events?.some((e) => e.workflowTaskStartedEventAttributes?.requestId === FORCED_TASK)).toBe(true);
    await expect(Worker.runReplayHistory({ workflowsPath: require.resolve('../../src/workflows') }, history, handle.workflowId)).resolves.toBeUndefined();
  }

  it('an operator accepts CodePay’s record of a payment in review (the chaos case): the review query’s result pays it, and the history replays', async () => {
    let merchantOrderNo = '';
    await withQueryOnTheNextTask(
      async (ctx) => {
        const input = paymentInput({ refundWindowMs: 600_000 });
        merchantOrderNo = input.merchantOrderNo;
        const { handle } = await startPayment(ctx, input);
        await notifyPayment(handle, ctx.fake.pay(input.merchantOrderNo, 500));
        await waitFor(() => viewOf(handle), (v) => v.status === 'NEEDS_REVIEW');
        ctx.fake.pay(input.merchantOrderNo);
        return handle;
      },
      (_ctx, handle) => handle.executeUpdate(reviewPaymentUpdate, { args: [{ decision: 'accept_codepay_record', reason: 'ticket 9', operator: 'op-0123456789ab' }] }),
      (view) => view.status === 'PAID' && view.merchantOrderNo === merchantOrderNo,
    );
  });

  it('a notification of an unpaid payment: the confirming query’s result pays it, and the history replays', async () => {
    await withQueryOnTheNextTask(
      async (ctx) => (await startPayment(ctx, paymentInput({ refundWindowMs: 600_000 }))).handle,
      (ctx, handle) => notifyPayment(handle, ctx.fake.pay(handle.workflowId.replace(/^payment-/, ''))),
      (view) => view.status === 'PAID',
    );
  });

  it('a notification that CodePay cancelled a paid payment: the confirming query’s result closes the refund window, and the history replays', async () => {
    await withQueryOnTheNextTask(
      async (ctx) => {
        const input = paymentInput({ refundWindowMs: 600_000 });
        const { handle } = await startPayment(ctx, input);
        await notifyPayment(handle, ctx.fake.pay(input.merchantOrderNo));
        await waitFor(() => viewOf(handle), (v) => v.status === 'PAID');
        await ctx.fake.cancelOrder(input.merchantOrderNo);
        return handle;
      },
      (ctx, handle) => notifyPayment(handle, ctx.fake.orderFact(handle.workflowId.replace(/^payment-/, ''))),
      (view) => view.status === 'CANCELLED',
    );
  });
});

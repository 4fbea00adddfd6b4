import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { createCodePayActivities } from '../../src/activities/codepay-activities';
import { localActivityType } from '../../src/tools/history-events';
import { type PaymentView } from '../../src/workflows/messages';
import { cancelPayment, reviewPayment } from '../../src/api/payment-command-channel';
import { connectTestTemporal, createTestWorker, uniqueTaskQueue, type TestTemporal } from '../harness/temporal';
import { waitFor } from '../harness/wait-for';
import { FakeCodePay } from './fake-codepay';
import { notifyPayment, paymentInput, startPayment, viewOf, type ScenarioContext } from './scenarios';

/**
 * A query that reaches a payment while its next workflow task waits for a worker rides on that
 * task. Had the task run a local activity, the SDK would answer the query first, record the
 * activity's marker in this task and what its result commits in a forced next one (after any
 * update that arrived meanwhile), while a replay applies the result at once: chaos seeds 13 and 97
 * left such histories, which did not replay (a timer, then an update's acceptance, out of place).
 * So the payment's CodePay calls are activity tasks (docs/design.md §2.9). Each case stops the
 * worker, sends the message and a query, starts a worker, and checks the history: no CodePay call
 * as a local-activity marker, and it replays.
 */
describe('a query riding on the workflow task of a message', () => {
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
    // No CodePay call as a local activity: only the merchant-event hand-over is one.
    expect(history.events?.map(localActivityType).filter((t) => t !== undefined && t !== 'emitMerchantEvents')).toEqual([]);
    await expect(Worker.runReplayHistory({ workflowsPath: require.resolve('../../src/workflows') }, history, handle.workflowId)).resolves.toBeUndefined();
  }

  it('a cancel arriving while the notification’s confirming query runs (chaos seed 97): CANCELLED, and the history replays', async () => {
    let cancelled: Promise<unknown> | undefined;
    await withQueryOnTheNextTask(
      async (ctx) => {
        const { handle } = await startPayment(ctx, paymentInput({ refundWindowMs: 600_000 }));
        // The confirming query takes a while: the cancel comes in meanwhile.
        ctx.fake.onQueryOrder = async () => {
          cancelled ??= cancelPayment(handle).catch((error: unknown) => error);
          await new Promise((r) => setTimeout(r, 1_000));
        };
        return handle;
      },
      (ctx, handle) => notifyPayment(handle, ctx.fake.pay(handle.workflowId.replace(/^payment-/, ''))),
      (view) => view.status === 'CANCELLED',
    );
    // Its read-back ends before the test does (no query may outlive the test's connection). Its
    // answer may be an error: a read-back query sent while no worker runs fails ("Failed to query
    // Workflow", CI); the cancel is applied either way, as the settled view shows.
    expect(cancelled).toBeDefined();
    await cancelled;
  });

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
      (_ctx, handle) => reviewPayment(handle, { decision: 'accept_codepay_record', reason: 'ticket 9', operator: 'op-0123456789ab' }),
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

import { randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import { createCodePayActivities } from '../../src/activities/codepay-activities';
import { CodePayConfigError, CodePayTransportError, CodePayUnverifiedError } from '../../src/codepay/errors';
import { TransStatus } from '../../src/codepay/trans-status';
import {
  PaymentErrorType,
  codepayNotificationSignal,
  getRefundQuery,
  refundWorkflowId,
  type RefundView,
} from '../../src/workflows/messages';
import { cancelPayment, requestRefund } from '../../src/api/payment-command-channel';
import { connectTestTemporal, createTestWorker, uniqueTaskQueue, type TestTemporal } from '../harness/temporal';
import { waitFor } from '../harness/wait-for';
import { FakeCodePay } from './fake-codepay';
import { withFakeWorker } from './fake-worker';
import { notifyPayment, paidPayment, paymentInput, scenarios, startPayment, viewOf, type ScenarioContext } from './scenarios';

describe('payment workflow on the dev server', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  const withWorker = <T>(body: (ctx: ScenarioContext, worker: Worker) => Promise<T>, fake?: FakeCodePay) => withFakeWorker(temporal, body, fake);

  it('happy path: the notification makes it PAID; startPayment returned the cashier URL; duplicates change nothing', async () => {
    const { started, view } = await withWorker((ctx) => scenarios.paidByNotification(ctx));
    expect(started).toMatchObject({ status: 'AWAITING_PAYMENT', cashierUrl: expect.stringContaining('https://cashier.example/pay/') });
    expect(view).toMatchObject({ status: 'PAID', paidAmountMinor: 1250, refundableAmountMinor: 1250, codepayTransNo: expect.any(String) });
    expect(view.events.filter((e) => e.type === 'notified')).toHaveLength(2);
    expect(view.events.filter((e) => e.type === 'transition').map((e) => e.data?.to)).toEqual(['AWAITING_PAYMENT', 'PAID']);
  });

  it('a lost notification is made up for by polling', async () => {
    const fake = new FakeCodePay();
    const { view } = await withWorker((ctx) => scenarios.paidByPolling(ctx), fake);
    expect(view.status).toBe('PAID');
    expect(view.events.some((e) => e.type === 'polled')).toBe(true);
    const polls = fake.count('queryOrder');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(fake.count('queryOrder')).toBe(polls);
  });

  it('upserts the search attributes the Web UI lists payments by', async () => {
    await withWorker(async (ctx) => {
      const input = paymentInput();
      const { handle } = await startPayment(ctx, input);
      await notifyPayment(handle, ctx.fake.pay(input.merchantOrderNo));
      await handle.result();
      const { searchAttributes } = await handle.describe();
      expect(searchAttributes).toMatchObject({ PaymentStatus: ['PAID'], MerchantOrderNo: [input.merchantOrderNo], AmountMinor: [1250], Currency: ['USD'], CodePayTransNo: [expect.any(String)] });
    });
  });

  it('a repeated start finds the running payment: one workflow, one order at CodePay', async () => {
    await withWorker(async (ctx) => {
      const input = paymentInput();
      const first = await startPayment(ctx, input);
      const again = await startPayment(ctx, input);
      expect(again.started.cashierUrl).toBe(first.started.cashierUrl);
      expect(again.handle.workflowId).toBe(first.handle.workflowId);
      expect(ctx.fake.count('createWapOrder')).toBe(1);
    });
  });

  it('CodePay rejecting the order: startPayment answers FAILED with its code and the workflow completes', async () => {
    const { started, view } = await withWorker((ctx) => scenarios.creationRejected(ctx));
    expect(started).toMatchObject({ status: 'FAILED', error: { code: 'E04101', message: 'Order amount is invalid' } });
    expect(view.status).toBe('FAILED');
  });

  it('a transport error or an unverified answer creating the order is retried; a configuration error is not', async () => {
    const fake = new FakeCodePay();
    fake.createFailures.push(new CodePayTransportError('ECONNRESET', 'pay.unifiedorder'));
    fake.createFailures.push(new CodePayUnverifiedError('answer has a missing or invalid signature', 'pay.unifiedorder'));
    const retried = await withWorker((ctx) => startPayment(ctx, paymentInput()), fake);
    expect(retried.started.status).toBe('AWAITING_PAYMENT');
    expect(fake.count('createWapOrder')).toBe(3);

    const broken = new FakeCodePay();
    broken.createFailures.push(new CodePayConfigError('refused as misconfigured: [E07303] API not authorised', 'pay.unifiedorder', 'E07303'));
    const { started } = await withWorker((ctx) => startPayment(ctx, paymentInput()), broken);
    expect(started).toMatchObject({ status: 'FAILED', error: { code: 'CodePayConfigError' } });
    expect(broken.count('createWapOrder')).toBe(1);
    await retried.handle.terminate('test done');
  });

  it('cancel of an unpaid payment closes it at CodePay → CANCELLED', async () => {
    const fake = new FakeCodePay();
    const { view } = await withWorker((ctx) => scenarios.cancelUnpaid(ctx), fake);
    expect(view).toMatchObject({ status: 'CANCELLED', refundedByCancel: false });
    expect(fake.orders.get(view.merchantOrderNo)!.status).toBe(TransStatus.CLOSED);
  });

  it('cancel of a paid payment: CodePay refunds the shopper → CANCELLED with refundedByCancel', async () => {
    const fake = new FakeCodePay();
    const { view } = await withWorker((ctx) => scenarios.cancelPaid(ctx), fake);
    expect(view).toMatchObject({ status: 'CANCELLED', refundedByCancel: true, paidAmountMinor: 1250 });
    expect(fake.orders.get(view.merchantOrderNo)!.status).toBe(TransStatus.CANCELLED);
  });

  it('cancel in a state that does not allow it is rejected by the validator', async () => {
    await withWorker(async (ctx) => {
      const input = paymentInput({ refundWindowMs: 60_000 });
      const { handle } = await startPayment(ctx, input);
      await notifyPayment(handle, ctx.fake.pay(input.merchantOrderNo));
      await waitFor(() => viewOf(handle), (v) => v.status === 'PAID');
      await requestRefund(handle, { refundNo: `RF-${randomUUID().slice(0, 8)}`, amountMinor: 100 });
      await waitFor(() => viewOf(handle), (v) => v.status === 'PARTIALLY_REFUNDED');
      await expect(cancelPayment(handle)).rejects.toMatchObject({ type: PaymentErrorType.INVALID_STATE });
      await handle.terminate('test done');
    });
  });

  it('refunds: partial then the rest → REFUNDED, totals follow CodePay', async () => {
    const fake = new FakeCodePay();
    const { view } = await withWorker((ctx) => scenarios.refundedInTwoParts(ctx), fake);
    expect(view).toMatchObject({ status: 'REFUNDED', refundedAmountMinor: 1250, pendingRefundMinor: 0, refundableAmountMinor: 0 });
    expect(view.refunds.map((r) => [r.amountMinor, r.status])).toEqual([
      [250, 'SUCCEEDED'],
      [1000, 'SUCCEEDED'],
    ]);
    expect(fake.refundedMinor(view.merchantOrderNo)).toBe(1250);
  });

  it('a declined refund releases its reservation', async () => {
    const { view } = await withWorker((ctx) => scenarios.refundDeclined(ctx));
    expect(view).toMatchObject({ status: 'PAID', refundedAmountMinor: 0, pendingRefundMinor: 0, refundableAmountMinor: 1250 });
    expect(view.refunds[0]).toMatchObject({ status: 'FAILED', error: { code: 'R001' } });
  });

  it('a refund rejected at submit is FAILED with CodePay’s code', async () => {
    const fake = new FakeCodePay();
    fake.refundOutcome = 'reject';
    await withWorker(async (ctx) => {
      const { handle } = await paidPayment(ctx, { refundWindowMs: 60_000 });
      const refundNo = `RF-${randomUUID().slice(0, 8)}`;
      await requestRefund(handle, { refundNo, amountMinor: 100 });
      const view = await waitFor(() => viewOf(handle), (v) => v.refunds[0]?.status !== 'PENDING');
      expect(view.refunds[0]).toMatchObject({ status: 'FAILED', error: { code: 'E04132' } });
      expect(view.refundableAmountMinor).toBe(1250);
      await handle.terminate('test done');
    }, fake);
  });

  it('a pending refund is settled by its notification; a repeated request returns the same refund', async () => {
    const fake = new FakeCodePay();
    fake.refundOutcome = 'pending';
    await withWorker(async (ctx) => {
      const { handle } = await paidPayment(ctx, { refundWindowMs: 60_000 });
      const refundNo = `RF-${randomUUID().slice(0, 8)}`;
      const first = await requestRefund(handle, { refundNo, amountMinor: 300 });
      expect(first).toMatchObject({ refundNo, amountMinor: 300, status: 'PENDING' });
      expect(await requestRefund(handle, { refundNo, amountMinor: 300 })).toEqual(first);
      await expect(requestRefund(handle, { refundNo, amountMinor: 301 })).rejects.toMatchObject({ type: PaymentErrorType.REFUND_NO_CONFLICT });
      const child = ctx.client.workflow.getHandle(refundWorkflowId(refundNo));
      await waitFor(async () => fake.count('submitRefund'), (n) => n === 1);
      await child.signal(codepayNotificationSignal, { kind: 'refund', fact: fake.settleRefund(refundNo, TransStatus.SUCCESS) });
      const view = await waitFor(() => viewOf(handle), (v) => v.status === 'PARTIALLY_REFUNDED');
      expect(view).toMatchObject({ refundedAmountMinor: 300, pendingRefundMinor: 0, refundableAmountMinor: 950 });
      expect(await child.query(getRefundQuery)).toMatchObject({ status: 'SUCCEEDED' });
      await handle.terminate('test done');
    }, fake);
  });

  it('20 concurrent refund requests never exceed the paid amount', async () => {
    const fake = new FakeCodePay();
    fake.refundOutcome = 'pending';
    await withWorker(async (ctx) => {
      const { handle } = await paidPayment(ctx, { refundWindowMs: 60_000 });
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => requestRefund(handle, { refundNo: `RF-${randomUUID().slice(0, 8)}-${i}`, amountMinor: 150 })),
      );
      const admitted = results.filter((r): r is PromiseFulfilledResult<RefundView> => r.status === 'fulfilled');
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(admitted).toHaveLength(8);
      for (const r of rejected) expect(r.reason).toMatchObject({ type: PaymentErrorType.REFUND_AMOUNT });
      const view = await viewOf(handle);
      expect(view.pendingRefundMinor).toBe(1200);
      expect(view.refundableAmountMinor).toBe(50);
      await waitFor(async () => fake.count('submitRefund'), (n) => n === 8);
      expect(fake.overRefundAttempts).toEqual([]);
      await handle.terminate('test done');
    }, fake);
  });

  it('duplicate, late and out-of-order notifications are recorded, not applied', async () => {
    await withWorker(async (ctx) => {
      const input = paymentInput({ refundWindowMs: 60_000 });
      const { handle } = await startPayment(ctx, input);
      const paying = { ...ctx.fake.orderFact(input.merchantOrderNo), transStatus: TransStatus.PAYING };
      const paid = ctx.fake.pay(input.merchantOrderNo);
      await notifyPayment(handle, paid);
      await waitFor(() => viewOf(handle), (v) => v.status === 'PAID');
      await notifyPayment(handle, paying);
      for (let i = 0; i < 5; i++) await notifyPayment(handle, paid);
      const view = await waitFor(() => viewOf(handle), (v) => v.events.filter((e) => e.type === 'notified').length === 7);
      expect(view).toMatchObject({ status: 'PAID', paidAmountMinor: 1250 });
      expect(view.events.filter((e) => e.type === 'ignored')).toHaveLength(1);
      expect(view.events.filter((e) => e.type === 'transition')).toHaveLength(2);
      // The first notification was confirmed with one query; the later ones changed nothing and asked nothing.
      expect(ctx.fake.count('queryOrder')).toBe(1);
      await handle.terminate('test done');
    });
  });

  it('a worker killed mid-payment: another worker on the same task queue finishes it', async () => {
    const fake = new FakeCodePay();
    const taskQueue = uniqueTaskQueue('kill');
    const input = paymentInput();
    const workerA = await createTestWorker(temporal, { activities: createCodePayActivities(fake), taskQueue });
    const ctx = { client: temporal.client, taskQueue, fake };
    const { handle } = await workerA.runUntil(startPayment(ctx, input));
    expect(fake.count('createWapOrder')).toBe(1);
    // Worker A is gone; the notification is durable in Temporal meanwhile.
    await notifyPayment(handle, fake.pay(input.merchantOrderNo));
    const workerB = await createTestWorker(temporal, { activities: createCodePayActivities(fake), taskQueue });
    const view = await workerB.runUntil(handle.result());
    expect(view.status).toBe('PAID');
    expect(fake.count('createWapOrder')).toBe(1);
  });

  it('continues as new with its state when history gets long', async () => {
    await withWorker(async (ctx) => {
      const input = paymentInput({ refundWindowMs: 60_000, continueAsNewAfterEvents: 40 });
      const { handle } = await startPayment(ctx, input);
      const firstRun = (await handle.describe()).runId;
      const paid = ctx.fake.pay(input.merchantOrderNo);
      // Duplicate notifications until the history passes the limit: each adds at least its signal
      // event, however many of them one workflow task takes.
      await waitFor(
        async () => {
          await notifyPayment(handle, paid);
          return (await handle.describe()).runId;
        },
        (runId) => runId !== firstRun,
      );
      const view = await viewOf(handle);
      expect(view).toMatchObject({ status: 'PAID', paidAmountMinor: 1250 });
      const refund = await requestRefund(handle, { refundNo: `RF-${randomUUID().slice(0, 8)}`, amountMinor: 1250 });
      expect(refund.status).toBe('PENDING');
      expect((await handle.result()).status).toBe('REFUNDED');
    });
  });

  it('worst case of one payment (maximal polling, 10 refunds, many duplicates) stays below 1,000 history events', async () => {
    const fake = new FakeCodePay();
    // A 15-minute expiry on the default schedule makes at most 10 queries (payment-state.test.ts): pay on the 10th.
    fake.payOnQuery = 10;
    await withWorker(async (ctx) => {
      const input = paymentInput({ pollScheduleMs: [100], refundWindowMs: 60_000 });
      const { handle } = await startPayment(ctx, input);
      const paid = await waitFor(() => viewOf(handle), (v) => v.status === 'PAID');
      expect(paid.events.filter((e) => e.type === 'polled')).toHaveLength(10);
      const fact = fake.orderFact(input.merchantOrderNo);
      await Promise.all(Array.from({ length: 50 }, () => notifyPayment(handle, fact)));
      for (let i = 0; i < 10; i++) {
        await requestRefund(handle, { refundNo: `RF-${randomUUID().slice(0, 8)}-${i}`, amountMinor: 125 });
      }
      expect((await handle.result()).status).toBe('REFUNDED');
      const history = await handle.fetchHistory();
      expect(history.events!.length).toBeLessThan(1_000);
    }, fake);
  });
});

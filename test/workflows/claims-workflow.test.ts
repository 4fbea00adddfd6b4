import type { Worker } from '@temporalio/worker';
import { TransStatus } from '../../src/codepay/trans-status';
import type { PaymentView } from '../../src/workflows/messages';
import { connectTestTemporal, type TestTemporal } from '../harness/temporal';
import { FakeCodePay } from './fake-codepay';
import { withFakeWorker } from './fake-worker';
import { QUERY_OUTAGE_ATTEMPTS, notifyPayment, paymentInput, scenarios, startPayment, type ScenarioContext } from './scenarios';

/**
 * Notifications are claims, CodePay's query is the fact (issues 11 and 16), on the dev server with
 * the in-memory CodePay. Every scenario here is also recorded for the replay test.
 */
describe('claims confirmed with CodePay (dev server)', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  const withWorker = <T>(body: (ctx: ScenarioContext, worker: Worker) => Promise<T>, fake?: FakeCodePay) => withFakeWorker(temporal, body, fake);
  const transitions = (view: PaymentView) => view.events.filter((e) => e.type === 'transition').map((e) => e.data?.to);

  it('issue 16: a cancel CodePay accepted (status 3) ends CANCELLED/refundedByCancel, though a late paid notification arrived and the query failed 4 times', async () => {
    const fake = new FakeCodePay();
    const { updateAnswer, view } = await withWorker((ctx) => scenarios.cancelRacingLateNotification(ctx), fake);
    // The cancel's answer says what CodePay decided, never a stale PAID.
    expect(updateAnswer).toMatchObject({ status: 'CANCELLED', refundedByCancel: true, paidAmountMinor: 1250 });
    expect(view).toMatchObject({ status: 'CANCELLED', refundedByCancel: true });
    expect(fake.orders.get(view.merchantOrderNo)!.status).toBe(TransStatus.CANCELLED);
    // The query after the close was retried through the whole outage, then answered.
    expect(fake.count('queryOrder')).toBe(QUERY_OUTAGE_ATTEMPTS + 1);
    expect(transitions(view)).toEqual(['AWAITING_PAYMENT', 'CANCELLED']);
    expect(view.events.some((e) => e.type === 'notified' && e.message.includes('claimed'))).toBe(true);
  }, 60_000);

  it('the same at the deadline: paid during the expiry close, notified late, queries failing → CANCELLED/refundedByCancel', async () => {
    const fake = new FakeCodePay();
    const { view } = await withWorker((ctx) => scenarios.expiryCloseThroughOutage(ctx), fake);
    expect(view).toMatchObject({ status: 'CANCELLED', refundedByCancel: true, paidAmountMinor: 1250 });
    expect(transitions(view)).toEqual(['AWAITING_PAYMENT', 'CANCELLED']);
    expect(fake.count('queryOrder')).toBe(1 + QUERY_OUTAGE_ATTEMPTS + 1);
  }, 60_000);

  it('a paid claim for an unpaid order is refuted by Query order; the real payment then completes', async () => {
    const fake = new FakeCodePay();
    const { view } = await withWorker((ctx) => scenarios.paidClaimRefuted(ctx), fake);
    expect(view).toMatchObject({ status: 'PAID', paidAmountMinor: 1250 });
    expect(transitions(view)).toEqual(['AWAITING_PAYMENT', 'PAID']);
    const refuted = view.events.find((e) => e.type === 'ignored');
    expect(refuted).toMatchObject({ data: { claimedTransStatus: TransStatus.SUCCESS, transStatus: TransStatus.CREATED } });
    // One confirming query per claim that would have moved the payment.
    expect(fake.count('queryOrder')).toBe(2);
  });

  it('budget: a payment paid by notification costs CodePay 2 calls (create + one confirming query), duplicates none', async () => {
    const fake = new FakeCodePay();
    const view = await withWorker(async (ctx) => {
      // A refund window, as in production: a payment that completes in the very task that confirmed
      // the claim can have that task refused for the duplicate's signal and its local query run again.
      const input = paymentInput({ refundWindowMs: 1_000 });
      const { handle } = await startPayment(ctx, input);
      const fact = ctx.fake.pay(input.merchantOrderNo);
      await notifyPayment(handle, fact);
      await notifyPayment(handle, fact);
      return handle.result();
    }, fake);
    expect(view.status).toBe('PAID');
    expect(fake.calls.map((c) => c.method)).toEqual(['createWapOrder', 'queryOrder']);
  });

  it('lying refund notifications (another amount, currency, original order; then "failed") change nothing; CodePay’s completion does', async () => {
    const fake = new FakeCodePay();
    const { view } = await withWorker((ctx) => scenarios.refundClaimsRefuted(ctx), fake);
    expect(view).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmountMinor: 400, pendingRefundMinor: 0 });
    expect(view.refunds[0]).toMatchObject({ amountMinor: 400, status: 'SUCCEEDED' });
    expect(fake.refundedMinor(view.merchantOrderNo)).toBe(view.refundedAmountMinor);
    expect(fake.count('queryRefund')).toBe(3);
  });

  it('CodePay’s refund record with another amount → the payment goes to NEEDS_REVIEW with the evidence', async () => {
    const { view } = await withWorker((ctx) => scenarios.refundAmountDisagrees(ctx));
    expect(view.status).toBe('NEEDS_REVIEW');
    expect(view.review?.reason).toContain('amount 500 minor units, expected 400');
    expect(view.review?.evidence).toMatchObject({ amountMinor: 500, expectedAmountMinor: 400, transStatus: TransStatus.SUCCESS, source: 'query' });
    expect(view.refunds[0]).toMatchObject({ status: 'FAILED', error: { code: 'NEEDS_REVIEW' } });
  });
});

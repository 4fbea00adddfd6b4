import { randomUUID } from 'node:crypto';
import { TransStatus } from '../../src/codepay/trans-status';
import { PaymentErrorType, refundWorkflowId, type ReviewRequest } from '../../src/workflows/messages';
import { requestRefund, reviewPayment } from '../../src/api/payment-command-channel';
import { MAX_REFUNDS_PER_PAYMENT } from '../../src/workflows/refund-admission';
import { connectTestTemporal, type TestTemporal } from '../harness/temporal';
import { waitFor } from '../harness/wait-for';
import { FakeCodePay } from './fake-codepay';
import { withFakeWorker } from './fake-worker';
import { notifyPayment, paidPayment, paymentInput, startPayment, viewOf, type ScenarioContext } from './scenarios';

const OPERATOR = 'op-0123456789ab';

describe('operator review and refund numbers on the dev server', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  const withWorker = <T>(body: (ctx: ScenarioContext) => Promise<T>, fake?: FakeCodePay) => withFakeWorker(temporal, body, fake);

  /** A payment a notification claimed underpaid: NEEDS_REVIEW, with CodePay's record saying 5.00 of 12.50. */
  async function underpaid(ctx: ScenarioContext, refundWindowMs: number) {
    const input = paymentInput({ refundWindowMs });
    const { handle } = await startPayment(ctx, input);
    await notifyPayment(handle, ctx.fake.pay(input.merchantOrderNo, 500));
    await waitFor(() => viewOf(handle), (v) => v.status === 'NEEDS_REVIEW');
    return { input, handle };
  }

  const decision = (decision: ReviewRequest['decision']): ReviewRequest => ({ decision, reason: 'ticket 7: CodePay corrected the amount', operator: OPERATOR });

  it('a payment in review waits for the operator past its refund window; accepting CodePay’s record re-queries it, pays it, and the refund window then runs', async () => {
    await withWorker(async (ctx) => {
      const { input, handle } = await underpaid(ctx, 1_500);
      // Past the window, the payment is still open for a decision.
      await new Promise((r) => setTimeout(r, 2_500));
      expect((await handle.describe()).status.name).toBe('RUNNING');

      // CodePay's record still says 5.00: accepting it is refused, nothing moves.
      const queriesBefore = ctx.fake.count('queryOrder');
      await expect(reviewPayment(handle, decision('accept_codepay_record'))).rejects.toMatchObject({ type: PaymentErrorType.REVIEW_REFUSED });
      expect(ctx.fake.count('queryOrder')).toBe(queriesBefore + 1);
      expect((await viewOf(handle)).status).toBe('NEEDS_REVIEW');

      // CodePay corrects its record; the operator accepts it.
      ctx.fake.pay(input.merchantOrderNo);
      const view = await reviewPayment(handle, decision('accept_codepay_record'));
      expect(ctx.fake.count('queryOrder')).toBe(queriesBefore + 2);
      expect(view).toMatchObject({ status: 'PAID', paidAmountMinor: 1250, refundableAmountMinor: 1250, review: { resolution: { operator: OPERATOR, decision: 'accept_codepay_record' } } });
      const decided = view.events.filter((e) => e.type === 'review' && e.data?.operator === OPERATOR);
      expect(decided.map((e) => e.data?.refused ?? 'decided')).toEqual([expect.stringContaining('paid 500'), 'decided']);
      // The Web UI's "current details" name who decided and why.
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toContain(`reviewed by ${OPERATOR} (accept_codepay_record): ticket 7`);

      // Refundable now, within the window that started at the decision; a full refund completes it.
      await requestRefund(handle, { refundNo: `RF-${randomUUID().slice(0, 12)}`, amountMinor: 1250 });
      const final = await handle.result();
      expect(final).toMatchObject({ status: 'REFUNDED', refundedAmountMinor: 1250 });
    });
  });

  it('close as failed once CodePay closed the order: FAILED, and the workflow completes', async () => {
    await withWorker(async (ctx) => {
      const { input, handle } = await underpaid(ctx, 0);
      // Paid at CodePay: closing as failed would hide the shopper's money.
      await expect(reviewPayment(handle, decision('close_as_failed'))).rejects.toMatchObject({ type: PaymentErrorType.REVIEW_REFUSED });
      // CodePay refunds the shopper by a cancel (done in its portal).
      await ctx.fake.cancelOrder(input.merchantOrderNo);
      expect(ctx.fake.orderFact(input.merchantOrderNo).transStatus).toBe(TransStatus.CANCELLED);
      const view = await reviewPayment(handle, decision('close_as_failed'));
      expect(view).toMatchObject({ status: 'FAILED', refundedByCancel: true, error: { code: 'OPERATOR_CLOSED' } });
      expect(await handle.result()).toMatchObject({ status: 'FAILED' });
    });
  });

  it('a payment not in review refuses a decision (validator, no CodePay query)', async () => {
    await withWorker(async (ctx) => {
      const { handle } = await paidPayment(ctx, { refundWindowMs: 60_000 });
      const queries = ctx.fake.count('queryOrder');
      await expect(reviewPayment(handle, decision('accept_codepay_record'))).rejects.toMatchObject({ type: PaymentErrorType.INVALID_STATE });
      expect(ctx.fake.count('queryOrder')).toBe(queries);
      await handle.terminate('test done');
    });
  });

  it('a refund number used by another payment’s refund (running or closed) is refused without using a slot', async () => {
    const fake = new FakeCodePay();
    await withWorker(async (ctx) => {
      const a = await paidPayment(ctx, { refundWindowMs: 60_000 });
      const b = await paidPayment(ctx, { refundWindowMs: 60_000 });
      const refundNo = `RF-${randomUUID().slice(0, 12)}`;
      await requestRefund(a.handle, { refundNo, amountMinor: 100 });
      // A's refund is done (its child closed): its number still belongs to A.
      await waitFor(() => ctx.client.workflow.getHandle(refundWorkflowId(refundNo)).describe(), (d) => d.status.name === 'COMPLETED');
      await expect(requestRefund(b.handle, { refundNo, amountMinor: 100 })).rejects.toMatchObject({ type: PaymentErrorType.REFUND_NO_CONFLICT });
      const view = await viewOf(b.handle);
      expect(view.refunds).toEqual([]);
      expect(view.refundableAmountMinor).toBe(1250);
      expect(view.events.some((e) => e.type === 'refund' && e.message.includes(`refund ${refundNo} released`))).toBe(true);
      expect(fake.refundedMinor(b.input.merchantOrderNo)).toBe(0);
      // All ten slots are still B's.
      for (let i = 0; i < MAX_REFUNDS_PER_PAYMENT; i++) {
        await requestRefund(b.handle, { refundNo: `RF-${randomUUID().slice(0, 12)}`, amountMinor: 100 });
      }
      expect((await viewOf(b.handle)).refunds).toHaveLength(MAX_REFUNDS_PER_PAYMENT);
      await a.handle.terminate('test done');
      await b.handle.terminate('test done');
    }, fake);
  });
});

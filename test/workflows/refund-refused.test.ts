import { randomUUID } from 'node:crypto';
import { requestRefund } from '../../src/api/payment-command-channel';
import { refundFailureNeedsOrderQuery } from '../../src/workflows/refund-admission';
import { connectTestTemporal, type TestTemporal } from '../harness/temporal';
import { waitFor } from '../harness/wait-for';
import { withFakeWorker } from './fake-worker';
import { paidPayment, viewOf } from './scenarios';

describe('a refund CodePay refuses is a question about the order, not a verdict (issue 20, defect 2)', () => {
  it('asks CodePay about the order after any refund failure but a number taken elsewhere', () => {
    expect(refundFailureNeedsOrderQuery({ status: 'FAILED', error: { code: 'E04120', message: 'not paid' } })).toBe(true);
    expect(refundFailureNeedsOrderQuery({ status: 'FAILED', error: { code: 'TRANS_STATUS_1', message: 'declined' } })).toBe(true);
    expect(refundFailureNeedsOrderQuery({ status: 'FAILED', error: { code: 'E04101', message: 'number taken' } })).toBe(false);
    expect(refundFailureNeedsOrderQuery({ status: 'SUCCEEDED' })).toBe(false);
  });

  describe('on the dev server', () => {
    let temporal: TestTemporal;
    beforeAll(async () => {
      temporal = await connectTestTemporal();
    });
    afterAll(() => temporal.close());

    it('a paid payment whose order CodePay cancelled (and refunded) behind its back: the refund gets E04120, the payment follows CodePay to CANCELLED', async () => {
      await withFakeWorker(temporal, async (ctx) => {
        const { input, handle } = await paidPayment(ctx, { refundWindowMs: 60_000 });
        // The cancel of a lost workflow task: done at CodePay, unknown to the payment's history.
        await ctx.fake.cancelOrder(input.merchantOrderNo);
        const refundNo = `RF-${randomUUID().slice(0, 12)}`;
        await requestRefund(handle, { refundNo, amountMinor: 300 });
        const view = await waitFor(() => viewOf(handle), (v) => v.status !== 'PAID', { timeoutMs: 20_000 });
        expect(view).toMatchObject({ status: 'CANCELLED', refundedByCancel: true, refundedAmountMinor: 0, refundableAmountMinor: 0 });
        expect(view.refunds).toEqual([expect.objectContaining({ refundNo, status: 'FAILED', error: expect.objectContaining({ code: 'E04120' }) })]);
        expect((await handle.result()).status).toBe('CANCELLED');
      });
    });
  });
});

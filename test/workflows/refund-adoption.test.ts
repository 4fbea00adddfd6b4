import type { RefundFact } from '../../src/codepay/model';
import { applyReconciliationFinding } from '../../src/workflows/reconciliation-finding';
import { adoptForeignRefund, isForeignRefundClaim } from '../../src/workflows/refund-adoption';
import { reserveRefund, settleRefund } from '../../src/workflows/payment-state';
import { merchantEventsBetween } from '../../src/workflows/merchant-events';
import { awaiting, paid, T1 } from './payment-fixtures';

const claim = (extra: Partial<RefundFact> = {}): RefundFact => ({ refundNo: 'PR1', origMerchantOrderNo: 'M1', transStatus: 2, currency: 'USD', amountMinor: 300, transNo: 'RT1', ...extra });

describe('refunds made outside the service', () => {
  it('takes a succeeded refund notification under an unknown number as a claim; ours, another order’s or a failed one are not', () => {
    expect(isForeignRefundClaim(paid(), claim())).toBe(true);
    expect(isForeignRefundClaim(paid(), claim({ transStatus: 1 }))).toBe(false);
    expect(isForeignRefundClaim(paid(), claim({ origMerchantOrderNo: 'M2' }))).toBe(false);
    const ours = reserveRefund(paid(), { refundNo: 'PR1', amountMinor: 300 }, T1).state;
    expect(isForeignRefundClaim(ours, claim())).toBe(false);
  });

  it('adopts a refund CodePay confirms: origin codepay, counted in refundedAmount, status follows, the merchant hears refund.succeeded', () => {
    const before = paid();
    const { state } = adoptForeignRefund(before, claim(), claim(), T1);
    expect(state.refunds).toEqual([expect.objectContaining({ refundNo: 'PR1', amountMinor: 300, status: 'SUCCEEDED', origin: 'codepay', codepayTransNo: 'RT1' })]);
    expect(state).toMatchObject({ refundedAmountMinor: 300, status: 'PARTIALLY_REFUNDED' });
    expect(merchantEventsBetween(before, state, 1, T1).map((e) => e.type)).toEqual(['refund.succeeded', 'payment.partially_refunded']);
    // The rest refunded at CodePay too: REFUNDED; the same claim again changes nothing.
    const full = adoptForeignRefund(state, claim({ refundNo: 'PR2' }), claim({ refundNo: 'PR2', amountMinor: 950 }), T1).state;
    expect(full).toMatchObject({ refundedAmountMinor: 1250, status: 'REFUNDED' });
    expect(adoptForeignRefund(full, claim({ refundNo: 'PR2' }), claim({ refundNo: 'PR2', amountMinor: 950 }), T1).state).toBe(full);
  });

  it('changes nothing but the log when CodePay does not confirm the claim (a forged notification)', () => {
    const before = paid();
    for (const answer of [undefined, claim({ transStatus: 1 }), claim({ origMerchantOrderNo: 'M2' }), claim({ currency: 'EUR' }), claim({ refundNo: 'PR9' })]) {
      const { state, events } = adoptForeignRefund(before, claim(), answer, T1);
      expect({ ...state, log: before.log }).toEqual(before);
      expect(events).toEqual([expect.objectContaining({ type: 'ignored', message: expect.stringContaining('not adopted') })]);
    }
  });

  it('adopts money that left even when it contradicts our record, and sends the payment to review', () => {
    const over = adoptForeignRefund(paid(), claim(), claim({ amountMinor: 2000 }), T1).state;
    expect(over).toMatchObject({ status: 'NEEDS_REVIEW', refundedAmountMinor: 2000 });
    const unpaid = adoptForeignRefund(awaiting(), claim(), claim(), T1).state;
    expect(unpaid.status).toBe('NEEDS_REVIEW');
    expect(unpaid.review?.evidence).toMatchObject({ refundNo: 'PR1', previousStatus: 'AWAITING_PAYMENT' });
  });
});

describe('a reconciliation finding', () => {
  const finding = { reconciliationId: 'reconciliation-1', reason: "reconciliation: our record disagrees with CodePay's (status)", evidence: { '1.status.ours.status': 'PAID', '1.status.codepay.transStatus': 3 } };

  it('moves a settled payment to NEEDS_REVIEW with the evidence and the run, and never touches the money', () => {
    const before = settleRefund(reserveRefund(paid(), { refundNo: 'R1', amountMinor: 100 }, T1).state, { refundNo: 'R1', status: 'SUCCEEDED' }, T1).state;
    const { state } = applyReconciliationFinding(before, finding, T1);
    expect(state.status).toBe('NEEDS_REVIEW');
    expect(state.review).toEqual({ reason: finding.reason, evidence: { reconciliationId: 'reconciliation-1', ...finding.evidence } });
    expect([state.paidAmountMinor, state.refundedAmountMinor, state.refunds]).toEqual([before.paidAmountMinor, before.refundedAmountMinor, before.refunds]);
  });

  it('only logs for a payment already in review or not settled yet', () => {
    const inReview = applyReconciliationFinding(paid(), finding, T1).state;
    const again = applyReconciliationFinding(inReview, finding, T1);
    expect(again.state.review).toEqual(inReview.review);
    expect(again.events).toEqual([expect.objectContaining({ type: 'review', message: expect.stringContaining('already under review') })]);
    expect(applyReconciliationFinding(awaiting(), finding, T1).state.status).toBe('AWAITING_PAYMENT');
  });
});

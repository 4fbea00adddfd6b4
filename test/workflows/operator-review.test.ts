import type { OrderFact } from '../../src/codepay/model';
import { TransStatus } from '../../src/codepay/trans-status';
import { PaymentErrorType, type ReviewDecision } from '../../src/workflows/messages';
import { decideReview, reviewRejection } from '../../src/workflows/operator-review';
import { applyOrderFact, flagForReview, markClosing, markOrderCreated, initialPaymentState, paymentView, reserveRefund, settleRefund, type PaymentState } from '../../src/workflows/payment-state';
import { paymentCurrentDetails } from '../../src/workflows/payment-summary';
import { admitRefund } from '../../src/workflows/refund-admission';
import { fact as paymentFact, input, T0, T1 } from './payment-fixtures';

/** After the 900 s deadline. */
const LATE = '2030-01-01T01:00:00.000Z';
/** A refund by cancel (3) also carries the paid amount. */
const fact = (transStatus: number, extra: Partial<OrderFact> = {}): OrderFact =>
  paymentFact(transStatus, { ...(transStatus === TransStatus.CANCELLED ? { paidAmountMinor: 1250 } : {}), ...extra });

const awaiting = (): PaymentState => markOrderCreated(initialPaymentState(input, T0), 'https://cashier/1', T0).state;
/** Paid 5.00 of 12.50: the classic review. */
const underpaid = (): PaymentState => applyOrderFact(awaiting(), fact(TransStatus.SUCCESS, { paidAmountMinor: 500 }), 'notification', T1).state;
const paid = (): PaymentState => applyOrderFact(awaiting(), fact(TransStatus.SUCCESS), 'notification', T1).state;
/** Paid, then CodePay reports it closed (a cancel in the portal?). */
const paidThenClosed = (state = paid()): PaymentState => applyOrderFact(state, fact(TransStatus.CLOSED), 'poll', T1).state;
const withRefund = (state: PaymentState, amountMinor: number): PaymentState =>
  settleRefund(reserveRefund(state, { refundNo: 'R1', amountMinor }, T1).state, { refundNo: 'R1', status: 'SUCCEEDED' }, T1).state;

const review = (state: PaymentState, decision: ReviewDecision, codepay: OrderFact, now = T1) =>
  decideReview(state, { decision, reason: 'ticket 42: checked the portal', operator: 'op-1a2b3c4d5e6f' }, codepay, now);

function decided(result: ReturnType<typeof review>): PaymentState {
  if (result.kind !== 'decided') throw new Error(`refused: ${result.rejection.message}`);
  return result.outcome.state;
}

describe('operator review: which payments take a decision', () => {
  it('only a payment in NEEDS_REVIEW', () => {
    expect(reviewRejection(underpaid())).toBeUndefined();
    expect(reviewRejection(paid())).toMatchObject({ type: PaymentErrorType.INVALID_STATE });
    expect(review(paid(), 'accept_codepay_record', fact(TransStatus.SUCCESS))).toMatchObject({ kind: 'refused', rejection: { type: PaymentErrorType.INVALID_STATE } });
  });
});

describe('operator review: accept CodePay’s record as final', () => {
  it('paid with the expected amount → PAID, refundable, with the decision recorded (who, why, CodePay’s status)', () => {
    // Under review because a notification claimed a wrong amount; CodePay's own record is right.
    const result = review(underpaid(), 'accept_codepay_record', fact(TransStatus.SUCCESS));
    const state = decided(result);
    expect(paymentView(state)).toMatchObject({ status: 'PAID', paidAmountMinor: 1250, refundableAmountMinor: 1250, codepayTransNo: 'T9' });
    expect(state.paidAt).toBe(T1);
    expect(state.review?.resolution).toEqual({ decision: 'accept_codepay_record', operator: 'op-1a2b3c4d5e6f', reason: 'ticket 42: checked the portal', at: T1, transStatus: 2 });
    expect(state.review?.reason).toBe('paid 500 minor units, expected 1250');
    const [decision, moved] = result.outcome.events;
    expect(decision).toMatchObject({ type: 'review', data: { operator: 'op-1a2b3c4d5e6f', decision: 'accept_codepay_record', reason: 'ticket 42: checked the portal', transStatus: 2 } });
    expect(moved).toMatchObject({ type: 'transition', data: { from: 'NEEDS_REVIEW', to: 'PAID' } });
    expect(admitRefund(state, { refundNo: 'R1', amountMinor: 1250 })).toEqual({ kind: 'new' });
  });

  it('a late payment after an expiry close → PAID, and nothing is closing any more', () => {
    let state = markClosing(awaiting(), 'cancel', T1).state;
    state = applyOrderFact(state, fact(TransStatus.CLOSED), 'reconcile', T1).state;
    state = applyOrderFact(state, fact(TransStatus.SUCCESS), 'notification', T1).state;
    expect(state.status).toBe('NEEDS_REVIEW');
    const after = decided(review(state, 'accept_codepay_record', fact(TransStatus.SUCCESS)));
    expect(after).toMatchObject({ status: 'PAID', closing: undefined });
    expect(admitRefund(after, { refundNo: 'R1', amountMinor: 100 })).toEqual({ kind: 'new' });
  });

  it('paid, with refunds already recorded → PARTIALLY_REFUNDED or REFUNDED from those refunds', () => {
    const partly = applyOrderFact(withRefund(paid(), 250), fact(TransStatus.SUCCESS, { paidAmountMinor: 999 }), 'poll', T1).state;
    expect(partly.status).toBe('NEEDS_REVIEW');
    expect(decided(review(partly, 'accept_codepay_record', fact(TransStatus.SUCCESS)))).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmountMinor: 250 });
    // A refund child that ended without a verdict flags even a fully refunded payment.
    const fully = flagForReview(withRefund(paid(), 1250), 'refund R2 ended without a verdict', { refundNo: 'R2' }, T1).state;
    expect(decided(review(fully, 'accept_codepay_record', fact(TransStatus.SUCCESS))).status).toBe('REFUNDED');
  });

  it('refunded by a cancel (trans_status 3) → CANCELLED with refundedByCancel', () => {
    expect(decided(review(underpaid(), 'accept_codepay_record', fact(TransStatus.CANCELLED)))).toMatchObject({ status: 'CANCELLED', refundedByCancel: true, paidAmountMinor: 1250 });
  });

  it('closed unpaid (trans_status 1) → EXPIRED after the deadline, CANCELLED after our cancel, FAILED otherwise; no money recorded', () => {
    expect(decided(review(paidThenClosed(), 'accept_codepay_record', fact(TransStatus.CLOSED), LATE))).toMatchObject({ status: 'EXPIRED', paidAmountMinor: 0 });
    const failed = decided(review(paidThenClosed(), 'accept_codepay_record', fact(TransStatus.CLOSED, { errorCode: 'E9', errorMessage: 'risk' })));
    expect(failed).toMatchObject({ status: 'FAILED', paidAmountMinor: 0, paidAt: undefined, error: { code: 'E9', message: 'risk' } });
    const cancelling = { ...underpaid(), closing: 'cancel' as const };
    expect(decided(review(cancelling, 'accept_codepay_record', fact(TransStatus.CLOSED))).status).toBe('CANCELLED');
  });

  it.each([
    ['still a wrong amount', underpaid(), fact(TransStatus.SUCCESS, { paidAmountMinor: 500 }), 'paid 500 minor units, expected 1250'],
    ['another currency', underpaid(), fact(TransStatus.SUCCESS, { currency: 'EUR' }), 'paid in EUR, expected USD'],
    ['refunded by cancel with a wrong amount', underpaid(), fact(TransStatus.CANCELLED, { paidAmountMinor: 500 }), 'paid 500 minor units'],
    ['closed although refunds succeeded here', paidThenClosed(withRefund(paid(), 250)), fact(TransStatus.CLOSED), 'refunded or refunding here'],
    ['no final record yet (paying)', underpaid(), fact(TransStatus.PAYING), 'no final record'],
    ['an unknown status', underpaid(), fact(42), 'no final record'],
    ['an answer about another order', underpaid(), fact(TransStatus.SUCCESS, { merchantOrderNo: 'M2' }), 'order M2'],
  ])('is refused when CodePay’s record disagrees: %s — the payment stays in review, the attempt is logged', (_what, state, codepay, why) => {
    const result = review(state, 'accept_codepay_record', codepay);
    expect(result).toMatchObject({ kind: 'refused', rejection: { type: PaymentErrorType.REVIEW_REFUSED, message: expect.stringContaining(why) } });
    expect(result.outcome.state).toMatchObject({ status: 'NEEDS_REVIEW', paidAmountMinor: state.paidAmountMinor, refundedAmountMinor: state.refundedAmountMinor });
    expect(result.outcome.state.review?.resolution).toBeUndefined();
    expect(result.outcome.events).toEqual([expect.objectContaining({ type: 'review', data: expect.objectContaining({ operator: 'op-1a2b3c4d5e6f', refused: expect.stringContaining(why) }) })]);
  });
});

describe('operator review: close as failed', () => {
  it('closed unpaid at CodePay → FAILED with the operator’s reason, no money recorded', () => {
    const state = decided(review(paidThenClosed(), 'close_as_failed', fact(TransStatus.CLOSED)));
    expect(state).toMatchObject({ status: 'FAILED', paidAmountMinor: 0, error: { code: 'OPERATOR_CLOSED', message: 'ticket 42: checked the portal' } });
    expect(state.review?.resolution?.decision).toBe('close_as_failed');
  });

  it('refunded by a cancel at CodePay → FAILED, marked refundedByCancel', () => {
    expect(decided(review(underpaid(), 'close_as_failed', fact(TransStatus.CANCELLED)))).toMatchObject({ status: 'FAILED', refundedByCancel: true });
  });

  it.each([
    ['CodePay holds the money (paid)', fact(TransStatus.SUCCESS, { paidAmountMinor: 500 }), "holds the shopper's payment"],
    ['the order is still open (paying)', fact(TransStatus.PAYING), 'still open at CodePay'],
    ['the order is still open (created)', fact(TransStatus.CREATED), 'still open at CodePay'],
  ])('is refused when %s', (_what, codepay, why) => {
    const result = review(underpaid(), 'close_as_failed', codepay);
    expect(result).toMatchObject({ kind: 'refused', rejection: { type: PaymentErrorType.REVIEW_REFUSED, message: expect.stringContaining(why) } });
    expect(result.outcome.state.status).toBe('NEEDS_REVIEW');
  });

  it('is refused while refunds are recorded against money CodePay says it does not hold', () => {
    const result = review(paidThenClosed(withRefund(paid(), 250)), 'close_as_failed', fact(TransStatus.CLOSED));
    expect(result).toMatchObject({ kind: 'refused', rejection: { type: PaymentErrorType.REVIEW_REFUSED } });
  });
});

describe('operator review in the Web UI', () => {
  it('current details show the open review, then who decided and why', () => {
    const state = underpaid();
    expect(paymentCurrentDetails(state)).toContain('review: paid 500 minor units, expected 1250');
    const after = decided(review(state, 'accept_codepay_record', fact(TransStatus.SUCCESS)));
    expect(paymentCurrentDetails(after)).toContain('**PAID**');
    expect(paymentCurrentDetails(after)).toContain('reviewed by op-1a2b3c4d5e6f (accept_codepay_record): ticket 42: checked the portal');
    expect(paymentCurrentDetails(after)).not.toContain('review: paid 500');
  });
});

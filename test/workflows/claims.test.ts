import type { RefundFact } from '../../src/codepay/model';
import { TransStatus } from '../../src/codepay/trans-status';
import {
  CLOSE_ANSWERS_BEFORE_REVIEW,
  applyQueriedFact,
  claimWouldMove,
  closeProgress,
  confirmPaymentClaim,
  receivePaymentClaim,
} from '../../src/workflows/claims';
import type { RefundView } from '../../src/workflows/messages';
import { applyOrderFact, markClosing } from '../../src/workflows/payment-state';
import { applyCheckedRefundFact, refundClaimWouldSettle, refundDiscrepancies, type RefundInput } from '../../src/workflows/refund-state';
import { T0, T1, awaiting, fact, paid } from './payment-fixtures';

describe('payment claims', () => {
  it('a claim that would move the payment is only recorded, and asks for confirmation', () => {
    const before = awaiting();
    const receipt = receivePaymentClaim(before, fact(TransStatus.SUCCESS), T1);
    expect(receipt.confirm).toBe(true);
    expect(receipt.state.status).toBe('AWAITING_PAYMENT');
    expect(receipt.state.paidAmountMinor).toBe(0);
    expect(receipt.events).toEqual([expect.objectContaining({ type: 'notified', message: expect.stringContaining('claimed') })]);
  });

  it.each([
    ['closed', fact(TransStatus.CLOSED)],
    ['cancelled after payment', fact(TransStatus.CANCELLED, { paidAmountMinor: 1250 })],
    ['paid with another amount', fact(TransStatus.SUCCESS, { paidAmountMinor: 1 })],
  ])('a %s claim on an open payment is confirmed first', (_what, claim) => {
    expect(receivePaymentClaim(awaiting(), claim, T1)).toMatchObject({ confirm: true, state: { status: 'AWAITING_PAYMENT' } });
  });

  it('a claim that would change nothing (duplicate, older status) is recorded as before and costs no query', () => {
    const duplicate = receivePaymentClaim(paid(), fact(TransStatus.SUCCESS), T1);
    expect(duplicate.confirm).toBe(false);
    expect(duplicate.state.status).toBe('PAID');
    const older = receivePaymentClaim(paid(), fact(TransStatus.PAYING), T1);
    expect(older.confirm).toBe(false);
    expect(older.events.map((e) => e.type)).toEqual(['notified', 'ignored']);
  });

  it('a paid claim after an unpaid close is confirmed: CodePay may have taken money after we closed', () => {
    const expired = applyOrderFact(markClosing(awaiting(), 'expiry', T1).state, fact(TransStatus.CLOSED), 'reconcile', T1).state;
    expect(expired.status).toBe('EXPIRED');
    expect(receivePaymentClaim(expired, fact(TransStatus.SUCCESS), T1).confirm).toBe(true);
  });

  it('a claim naming another trans_no than CodePay gave us → NEEDS_REVIEW with the evidence, no query', () => {
    const receipt = receivePaymentClaim(paid(), fact(TransStatus.SUCCESS, { transNo: 'T-OTHER' }), T1);
    expect(receipt.confirm).toBe(false);
    expect(receipt.state.status).toBe('NEEDS_REVIEW');
    expect(receipt.state.review).toMatchObject({ reason: 'notification: trans_no T-OTHER differs from CodePay\'s T9', evidence: { transNo: 'T-OTHER', knownTransNo: 'T9', previousStatus: 'PAID' } });
  });

  it('before CodePay named the trans_no, a claim’s trans_no is no conflict', () => {
    expect(receivePaymentClaim(awaiting(), fact(TransStatus.SUCCESS, { transNo: 'T-ANY' }), T1).state.status).toBe('AWAITING_PAYMENT');
  });

  it('a claim for another order changes nothing and asks nothing', () => {
    const receipt = receivePaymentClaim(awaiting(), fact(TransStatus.SUCCESS, { merchantOrderNo: 'OTHER' }), T1);
    expect(receipt).toMatchObject({ confirm: false, state: { status: 'AWAITING_PAYMENT' } });
  });

  it('confirmation moves on CodePay’s answer; a refuted claim is logged with both sides', () => {
    const claim = fact(TransStatus.SUCCESS);
    const refuted = confirmPaymentClaim(awaiting(), claim, fact(TransStatus.CREATED), T1);
    expect(refuted.state.status).toBe('AWAITING_PAYMENT');
    expect(refuted.events.at(-1)).toMatchObject({ type: 'ignored', data: { claimedTransStatus: 2, transStatus: 9 } });
    const confirmed = confirmPaymentClaim(awaiting(), claim, fact(TransStatus.SUCCESS), T1);
    expect(confirmed.state).toMatchObject({ status: 'PAID', paidAmountMinor: 1250, codepayTransNo: 'T9' });
    expect(claimWouldMove(confirmed.state, claim, T1)).toBe(false);
  });

  it('a queried fact with another trans_no than the known one → NEEDS_REVIEW', () => {
    const { state } = applyQueriedFact(paid(), fact(TransStatus.CANCELLED, { transNo: 'T2', paidAmountMinor: 1250 }), 'reconcile', T1);
    expect(state).toMatchObject({ status: 'NEEDS_REVIEW', review: { evidence: { transNo: 'T2', knownTransNo: 'T9', source: 'reconcile' } } });
  });
});

describe('the conversation after an accepted close', () => {
  it.each([TransStatus.CLOSED, TransStatus.CANCELLED])('ends on trans_status %i (final and reflecting the close)', (status) => {
    expect(closeProgress(fact(status), 1)).toEqual({ kind: 'settled' });
  });

  it.each([TransStatus.SUCCESS, TransStatus.PAYING, TransStatus.CREATED, 7])('goes on with backoff on trans_status %i', (status) => {
    expect(closeProgress(fact(status), 1)).toEqual({ kind: 'ask-again', afterMs: 1_000 });
    expect(closeProgress(fact(status), 3)).toEqual({ kind: 'ask-again', afterMs: 4_000 });
    expect(closeProgress(fact(status), 12)).toEqual({ kind: 'ask-again', afterMs: 60_000 });
  });

  it('goes on when the query was rejected (no answer)', () => {
    expect(closeProgress(undefined, 2)).toEqual({ kind: 'ask-again', afterMs: 2_000 });
  });

  it('hands over to an operator when CodePay never reflects the close', () => {
    expect(closeProgress(fact(TransStatus.SUCCESS), CLOSE_ANSWERS_BEFORE_REVIEW)).toMatchObject({ kind: 'stuck', reason: expect.stringContaining('trans_status 2') });
  });
});

describe('refund answers checked against the refund we asked for', () => {
  const refundInput: RefundInput = { refundNo: 'R1', merchantOrderNo: 'M1', amountMinor: 400, currency: 'USD', paymentTransNo: 'T9' };
  const pending: RefundView = { refundNo: 'R1', amountMinor: 400, status: 'PENDING', requestedAt: T0 };
  const refundFact = (extra: Partial<RefundFact> = {}): RefundFact => ({
    refundNo: 'R1',
    transNo: 'RT1',
    origMerchantOrderNo: 'M1',
    origTransNo: 'T9',
    transStatus: TransStatus.SUCCESS,
    currency: 'USD',
    amountMinor: 400,
    ...extra,
  });

  it('a matching answer settles the refund', () => {
    expect(refundDiscrepancies(refundInput, pending, refundFact())).toEqual([]);
    expect(applyCheckedRefundFact(pending, refundInput, refundFact(), 'query', T1)).toMatchObject({ status: 'SUCCEEDED', codepayTransNo: 'RT1' });
  });

  it('fields CodePay left out are no disagreement', () => {
    expect(refundDiscrepancies(refundInput, pending, { refundNo: 'R1', transStatus: 0 })).toEqual([]);
  });

  it.each([
    ['amount', { amountMinor: 1250 }, 'amount 1250 minor units, expected 400'],
    ['currency', { currency: 'EUR' }, 'currency EUR, expected USD'],
    ['original order', { origMerchantOrderNo: 'M2' }, 'original order M2, expected M1'],
    ['original trans_no', { origTransNo: 'T8' }, 'original trans_no T8, expected T9'],
  ])('another %s → a result for review, with the evidence', (_what, extra, found) => {
    const result = applyCheckedRefundFact(pending, refundInput, refundFact(extra), 'query', T1);
    expect(result.review?.reason).toContain(found);
    expect(result).toMatchObject({ status: 'FAILED', error: { code: 'NEEDS_REVIEW' }, review: { evidence: { refundNo: 'R1', expectedAmountMinor: 400, source: 'query' } } });
  });

  it('another refund trans_no than CodePay gave at submit is for review', () => {
    const known = { ...pending, codepayTransNo: 'RT1' };
    expect(refundDiscrepancies(refundInput, known, refundFact({ transNo: 'RT2' }))).toEqual(['trans_no RT2, expected RT1']);
  });

  it('a refund notification wakes the child only when it would settle the refund', () => {
    expect(refundClaimWouldSettle(pending, refundFact({ transStatus: TransStatus.CLOSED }), T1)).toBe(true);
    expect(refundClaimWouldSettle(pending, refundFact({ transStatus: TransStatus.PAYING }), T1)).toBe(false);
    expect(refundClaimWouldSettle({ ...pending, status: 'SUCCEEDED' }, refundFact(), T1)).toBe(false);
  });
});

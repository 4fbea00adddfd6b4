import { TransStatus } from '../../src/codepay/trans-status';
import { merchantEventBody } from '../../src/webhooks/event-body';
import { merchantEventId, merchantEventsBetween } from '../../src/workflows/merchant-events';
import { applyOrderFact, markClosing, markCreationFailed, markOrderCreated, reserveRefund, settleRefund, type Outcome, type PaymentState } from '../../src/workflows/payment-state';
import { T0, T1, awaiting, created, fact, paid } from './payment-fixtures';

/** The events one step emits, numbered from 1. */
const emitted = (before: PaymentState, step: (s: PaymentState) => Outcome) => merchantEventsBetween(before, step(before).state, 1, T1);
const types = (before: PaymentState, step: (s: PaymentState) => Outcome) => emitted(before, step).map((e) => e.type);

describe('merchant events: which step emits what', () => {
  it('order created: payment.awaiting_payment (CREATING itself is never announced)', () => {
    expect(types(created(), (s) => markOrderCreated(s, 'https://cashier/1', T0))).toEqual(['payment.awaiting_payment']);
  });

  it('creation rejected: payment.failed', () => {
    expect(types(created(), (s) => markCreationFailed(s, { code: 'E1', message: 'no' }, T0))).toEqual(['payment.failed']);
  });

  it('paid: payment.paid carrying the paid payment; a duplicate paid fact emits nothing', () => {
    const [event, ...rest] = emitted(awaiting(), (s) => applyOrderFact(s, fact(TransStatus.SUCCESS), 'notification', T1));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ id: 'evt_M1_1', seq: 1, type: 'payment.paid', timestamp: T1, payment: { status: 'PAID', paidAmountMinor: 1250 } });
    expect(types(paid(), (s) => applyOrderFact(s, fact(TransStatus.SUCCESS), 'poll', T1))).toEqual([]);
  });

  it('steps that only log (a poll of an unpaid order, closing) emit nothing', () => {
    expect(types(awaiting(), (s) => applyOrderFact(s, fact(TransStatus.PAYING), 'poll', T1))).toEqual([]);
    expect(types(awaiting(), (s) => markClosing(s, 'cancel', T1))).toEqual([]);
  });

  it('cancel, expiry and review each emit their status', () => {
    const closing = (reason: 'cancel' | 'expiry') => markClosing(awaiting(), reason, T1).state;
    expect(types(closing('cancel'), (s) => applyOrderFact(s, fact(TransStatus.CLOSED), 'reconcile', T1))).toEqual(['payment.cancelled']);
    expect(types(closing('expiry'), (s) => applyOrderFact(s, fact(TransStatus.CLOSED), 'reconcile', T1))).toEqual(['payment.expired']);
    expect(types(awaiting(), (s) => applyOrderFact(s, fact(TransStatus.SUCCESS, { paidAmountMinor: 1 }), 'poll', T1))).toEqual(['payment.needs_review']);
  });

  it('a reserved refund emits nothing; its result emits refund.<result>, then the status it moved the payment to', () => {
    const reserved = reserveRefund(paid(), { refundNo: 'R1', amountMinor: 250 }, T1).state;
    expect(types(paid(), (s) => reserveRefund(s, { refundNo: 'R1', amountMinor: 250 }, T1))).toEqual([]);
    const partial = emitted(reserved, (s) => settleRefund(s, { refundNo: 'R1', status: 'SUCCEEDED', codepayTransNo: 'RT1' }, T1));
    expect(partial.map((e) => [e.seq, e.type, e.refundNo])).toEqual([
      [1, 'refund.succeeded', 'R1'],
      [2, 'payment.partially_refunded', undefined],
    ]);
    expect(types(reserved, (s) => settleRefund(s, { refundNo: 'R1', status: 'FAILED', error: { code: 'X', message: 'declined' } }, T1))).toEqual(['refund.failed']);
    const full = reserveRefund(paid(), { refundNo: 'R2', amountMinor: 1250 }, T1).state;
    expect(types(full, (s) => settleRefund(s, { refundNo: 'R2', status: 'SUCCEEDED' }, T1))).toEqual(['refund.succeeded', 'payment.refunded']);
  });

  it('numbers events from the given sequence: the same step always gets the same ids', () => {
    const after = applyOrderFact(awaiting(), fact(TransStatus.SUCCESS), 'notification', T1).state;
    const first = merchantEventsBetween(awaiting(), after, 7, T1);
    expect(first.map((e) => e.id)).toEqual([merchantEventId('M1', 7)]);
    expect(merchantEventsBetween(awaiting(), after, 7, T1)).toEqual(first);
  });
});

describe('merchant event body', () => {
  it('payment events carry the API payment view in decimal strings', () => {
    const [event] = emitted(awaiting(), (s) => applyOrderFact(s, fact(TransStatus.SUCCESS), 'notification', T1));
    expect(merchantEventBody(event!)).toMatchObject({ type: 'payment.paid', timestamp: T1, data: { merchantOrderNo: 'M1', status: 'PAID', amount: '12.50', paidAmount: '12.50' } });
  });

  it('refund events carry the refund view plus merchantOrderNo', () => {
    const reserved = reserveRefund(paid(), { refundNo: 'R1', amountMinor: 250 }, T1).state;
    const [event] = emitted(reserved, (s) => settleRefund(s, { refundNo: 'R1', status: 'SUCCEEDED', codepayTransNo: 'RT1' }, T1));
    expect(merchantEventBody(event!)).toEqual({
      type: 'refund.succeeded',
      timestamp: T1,
      data: { merchantOrderNo: 'M1', refundNo: 'R1', amount: '2.50', currency: 'USD', status: 'SUCCEEDED', codepayTransNo: 'RT1', requestedAt: T1, completedAt: T1, origin: 'api' },
    });
  });
});

import { TransStatus } from '../../src/codepay/trans-status';
import { appendEvents, emptyEventLog, EVENT_LOG_LIMIT, traceEvents } from '../../src/workflows/event-log';
import {
  applyOrderFact,
  markClosing,
  markCreationFailed,
  noteRedelivery,
  paymentView,
  reserveRefund,
  settleRefund,
  type PaymentState,
} from '../../src/workflows/payment-state';
import { pollDelayMs } from '../../src/workflows/poll-schedule';
import { T0, T1, awaiting, created, fact, paid } from './payment-fixtures';

const refunded = (state: PaymentState, refundNo: string, amountMinor: number): PaymentState =>
  settleRefund(reserveRefund(state, { refundNo, amountMinor }, T1).state, { refundNo, status: 'SUCCEEDED', codepayTransNo: `R-${refundNo}` }, T1).state;
/** Everything but the log: what "changes nothing" means for a duplicate fact. */
const entity = (state: PaymentState) => ({ ...paymentView(state), events: undefined, eventsOmitted: undefined });

describe('payment state: creation', () => {
  it('starts CREATING with the expiry derived from the input', () => {
    const state = created();
    expect(state).toMatchObject({ status: 'CREATING', expiresAt: '2030-01-01T00:15:00.000Z', paidAmountMinor: 0 });
    expect(state.log.recent.map((e) => e.type)).toEqual(['created']);
  });

  it('CREATING → AWAITING_PAYMENT when the cashier URL is issued', () => {
    const state = awaiting();
    expect(state).toMatchObject({ status: 'AWAITING_PAYMENT', cashierUrl: 'https://cashier/1' });
    expect(state.log.recent.at(-1)).toMatchObject({ type: 'transition', data: { from: 'CREATING', to: 'AWAITING_PAYMENT' } });
  });

  it('CREATING → FAILED when CodePay rejects the order, with its code', () => {
    const state = markCreationFailed(created(), { code: 'E04101', message: 'bad amount' }, T1).state;
    expect(state).toMatchObject({ status: 'FAILED', error: { code: 'E04101', message: 'bad amount' } });
  });

  it('a paid fact racing order creation still counts (CREATING → PAID)', () => {
    expect(applyOrderFact(created(), fact(TransStatus.SUCCESS), 'notification', T1).state.status).toBe('PAID');
  });
});

describe('payment state: awaiting payment', () => {
  it.each([TransStatus.CREATED, TransStatus.PAYING])('trans_status %i changes nothing but records the observation', (status) => {
    const before = awaiting();
    const { state, events } = applyOrderFact(before, fact(status), 'poll', T1);
    expect(entity(state)).toEqual(entity(before));
    expect(events.map((e) => e.type)).toEqual(['polled']);
  });

  it('AWAITING_PAYMENT → PAID on a matching paid fact', () => {
    const { state, events } = applyOrderFact(awaiting(), fact(TransStatus.SUCCESS), 'notification', T1);
    expect(state).toMatchObject({ status: 'PAID', paidAmountMinor: 1250, codepayTransNo: 'T9', paidAt: T1, updatedAt: T1 });
    expect(events.map((e) => e.type)).toEqual(['notified', 'transition']);
  });

  it('AWAITING_PAYMENT → FAILED when CodePay closes it on its own', () => {
    const state = applyOrderFact(awaiting(), fact(TransStatus.CLOSED, { errorCode: 'C1', errorMessage: 'declined' }), 'poll', T1).state;
    expect(state).toMatchObject({ status: 'FAILED', error: { code: 'C1', message: 'declined' } });
  });

  it('AWAITING_PAYMENT → EXPIRED when closed after our deadline close', () => {
    const closing = markClosing(awaiting(), 'expiry', T1).state;
    expect(applyOrderFact(closing, fact(TransStatus.CLOSED), 'reconcile', T1).state.status).toBe('EXPIRED');
  });

  it('AWAITING_PAYMENT → EXPIRED when CodePay closed it itself at the deadline, before our close', () => {
    const atDeadline = '2030-01-01T00:15:00.000Z';
    const state = applyOrderFact(awaiting(), fact(TransStatus.CLOSED, { errorCode: 'ORDER_EXPIRED' }), 'reconcile', atDeadline).state;
    expect(state.status).toBe('EXPIRED');
  });

  it('AWAITING_PAYMENT → CANCELLED when closed after our cancel', () => {
    const closing = markClosing(awaiting(), 'cancel', T1).state;
    expect(applyOrderFact(closing, fact(TransStatus.CLOSED), 'reconcile', T1).state).toMatchObject({ status: 'CANCELLED', refundedByCancel: false });
  });

  it('a payment that slipped in before the close is recorded as CANCELLED with refundedByCancel', () => {
    const closing = markClosing(awaiting(), 'expiry', T1).state;
    const state = applyOrderFact(closing, fact(TransStatus.CANCELLED, { paidAmountMinor: 1250 }), 'reconcile', T1).state;
    expect(state).toMatchObject({ status: 'CANCELLED', refundedByCancel: true, paidAmountMinor: 1250 });
  });

  it('a payment confirmed during the close is PAID, not lost', () => {
    const closing = markClosing(awaiting(), 'expiry', T1).state;
    expect(applyOrderFact(closing, fact(TransStatus.SUCCESS), 'reconcile', T1).state.status).toBe('PAID');
  });

  it('an unknown trans_status is recorded and changes nothing', () => {
    const before = awaiting();
    const { state, events } = applyOrderFact(before, fact(7), 'poll', T1);
    expect(entity(state)).toEqual({ ...entity(before) });
    expect(state.lastTransStatus).toBe(7);
    expect(events[0]!.message).toContain('unknown');
  });

  it.each([
    ['amount', { paidAmountMinor: 1000 }, 'paid 1000 minor units, expected 1250'],
    ['currency', { currency: 'EUR' }, 'paid in EUR, expected USD'],
    ['missing amount', { paidAmountMinor: undefined, orderAmountMinor: undefined }, 'paid without an amount'],
    ['order amount beside a matching paid amount', { orderAmountMinor: 1000 }, 'order amount 1000 minor units, expected 1250'],
    ['order amount of a status 3 fact', { transStatus: TransStatus.CANCELLED, paidAmountMinor: 1250, orderAmountMinor: 99 }, 'order amount 99 minor units, expected 1250'],
  ])('a paid fact with a wrong %s → NEEDS_REVIEW with the evidence', (_what, extra, reason) => {
    const { state } = applyOrderFact(awaiting(), fact(TransStatus.SUCCESS, extra), 'notification', T1);
    expect(state.status).toBe('NEEDS_REVIEW');
    expect(state.review).toMatchObject({ reason, evidence: { expectedAmountMinor: 1250, expectedCurrency: 'USD', previousStatus: 'AWAITING_PAYMENT' } });
    expect(state.log.recent.at(-1)).toMatchObject({ type: 'review' });
  });

  it('ignores a fact about another order', () => {
    const before = awaiting();
    const { state, events } = applyOrderFact(before, fact(TransStatus.SUCCESS, { merchantOrderNo: 'OTHER' }), 'notification', T1);
    expect(entity(state)).toEqual(entity(before));
    expect(events.map((e) => e.type)).toEqual(['ignored']);
  });
});

describe('payment state: paid', () => {
  it('a duplicate paid fact changes nothing', () => {
    const once = paid();
    const twice = applyOrderFact(once, fact(TransStatus.SUCCESS), 'poll', '2030-01-01T00:05:00.000Z').state;
    expect(entity(twice)).toEqual(entity(once));
    expect(twice.log.recent.length).toBe(once.log.recent.length + 1);
  });

  it('a late "paying" fact after PAID is logged as ignored, not applied', () => {
    const { state, events } = applyOrderFact(paid(), fact(TransStatus.PAYING), 'notification', T1);
    expect(state.status).toBe('PAID');
    expect(events.map((e) => e.type)).toEqual(['notified', 'ignored']);
  });

  it('PAID → CANCELLED with refundedByCancel when CodePay reports the cancel', () => {
    const closing = markClosing(paid(), 'cancel', T1).state;
    expect(applyOrderFact(closing, fact(TransStatus.CANCELLED), 'reconcile', T1).state).toMatchObject({ status: 'CANCELLED', refundedByCancel: true });
  });

  it('a duplicate paid fact with a different amount → NEEDS_REVIEW', () => {
    expect(applyOrderFact(paid(), fact(TransStatus.SUCCESS, { paidAmountMinor: 1 }), 'poll', T1).state.status).toBe('NEEDS_REVIEW');
  });

  it('"closed" after PAID disagrees with the record → NEEDS_REVIEW', () => {
    expect(applyOrderFact(paid(), fact(TransStatus.CLOSED), 'poll', T1).state.review?.reason).toContain('trans_status 1');
  });

  it('PAID → PARTIALLY_REFUNDED → REFUNDED as refunds succeed', () => {
    const partly = refunded(paid(), 'R1', 250);
    expect(partly).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedAmountMinor: 250 });
    const fully = refunded(partly, 'R2', 1000);
    expect(fully).toMatchObject({ status: 'REFUNDED', refundedAmountMinor: 1250 });
    expect(paymentView(fully).refundableAmountMinor).toBe(0);
  });

  it('PAID → REFUNDED in one full refund', () => {
    expect(refunded(paid(), 'R1', 1250).status).toBe('REFUNDED');
  });

  it('a reservation counts against the refundable amount until it settles; a failed refund releases it', () => {
    const reserved = reserveRefund(paid(), { refundNo: 'R1', amountMinor: 1000 }, T1).state;
    expect(paymentView(reserved)).toMatchObject({ pendingRefundMinor: 1000, refundableAmountMinor: 250, status: 'PAID' });
    const failed = settleRefund(reserved, { refundNo: 'R1', status: 'FAILED', error: { code: 'R001', message: 'no' } }, T1).state;
    expect(paymentView(failed)).toMatchObject({ pendingRefundMinor: 0, refundableAmountMinor: 1250, refundedAmountMinor: 0, status: 'PAID' });
    expect(failed.refunds[0]).toMatchObject({ status: 'FAILED', error: { code: 'R001' } });
  });

  it('a repeated refund result changes nothing', () => {
    const once = refunded(paid(), 'R1', 250);
    const again = settleRefund(once, { refundNo: 'R1', status: 'SUCCEEDED' }, T1).state;
    expect(again).toBe(once);
  });

  it('PARTIALLY_REFUNDED ignores out-of-order facts and takes duplicates calmly', () => {
    const partly = refunded(paid(), 'R1', 250);
    expect(applyOrderFact(partly, fact(TransStatus.CREATED), 'poll', T1).state.status).toBe('PARTIALLY_REFUNDED');
    expect(applyOrderFact(partly, fact(TransStatus.SUCCESS), 'poll', T1).state.status).toBe('PARTIALLY_REFUNDED');
  });
});

describe('payment state: after a final state', () => {
  const expired = () => applyOrderFact(markClosing(awaiting(), 'expiry', T1).state, fact(TransStatus.CLOSED), 'reconcile', T1).state;

  it.each([TransStatus.CREATED, TransStatus.PAYING, TransStatus.CLOSED, TransStatus.CANCELLED, 42])('trans_status %i after EXPIRED is logged, not applied', (status) => {
    const before = expired();
    const { state, events } = applyOrderFact(before, fact(status), 'notification', T1);
    expect(entity(state)).toEqual(entity(before));
    expect(events.map((e) => e.type)).toEqual(['notified', 'ignored']);
  });

  it('a paid fact after REFUNDED is the old payment: logged, not applied', () => {
    const before = refunded(paid(), 'R1', 1250);
    expect(entity(applyOrderFact(before, fact(TransStatus.SUCCESS), 'poll', T1).state)).toEqual(entity(before));
  });

  it('money that arrives after we recorded EXPIRED is never lost: NEEDS_REVIEW', () => {
    const state = applyOrderFact(expired(), fact(TransStatus.SUCCESS), 'notification', T1).state;
    expect(state).toMatchObject({ status: 'NEEDS_REVIEW', review: { reason: 'paid after the order was recorded as EXPIRED' } });
  });
});

describe('event log and poll schedule', () => {
  it('keeps the newest events and counts the dropped ones', () => {
    const events = Array.from({ length: EVENT_LOG_LIMIT + 5 }, (_, i) => ({ at: T0, type: 'notified' as const, message: String(i) }));
    const log = appendEvents(emptyEventLog(), events);
    expect(log.recent).toHaveLength(EVENT_LOG_LIMIT);
    expect(log.omitted).toBe(5);
    expect(log.recent[0]!.message).toBe('5');
  });

  it('names the trace on the events just added, in the log too, and leaves earlier ones and a trace-less step alone', () => {
    const earlier = { at: T0, type: 'created' as const, message: 'created' };
    const added = [{ at: T0, type: 'notified' as const, message: 'n' }, { at: T0, type: 'transition' as const, message: 't' }];
    const log = appendEvents(appendEvents(emptyEventLog(), [earlier]), added);
    const trace = 'a'.repeat(32);
    const named = traceEvents(log, added, trace);
    expect(named.events.map((e) => e.traceId)).toEqual([trace, trace]);
    expect(named.log.recent.map((e) => e.traceId)).toEqual([undefined, trace, trace]);
    expect(named.log.omitted).toBe(log.omitted);
    expect(traceEvents(log, added, undefined).log).toBe(log);
  });

  it('backs off and repeats the last delay', () => {
    expect([0, 1, 6, 7, 50].map((n) => pollDelayMs(undefined, n))).toEqual([5_000, 10_000, 300_000, 300_000, 300_000]);
    expect(pollDelayMs([100, 200], 5)).toBe(200);
  });

  it('the default schedule queries at most 12 times in a 15-minute expiry (polls + deadline query + reconcile)', () => {
    let elapsed = 0;
    let polls = 0;
    while (elapsed + pollDelayMs(undefined, polls) < 900_000) elapsed += pollDelayMs(undefined, polls++);
    expect(polls + 2).toBeLessThanOrEqual(12);
  });
});

describe('payment state: operator actions outside the payment', () => {
  it("an operator's webhook redelivery is one log line naming the event and the operator; nothing else changes", () => {
    const before = paid();
    const { state, events } = noteRedelivery(before, { eventId: 'evt_X_2', operator: 'op-1234' }, T1);
    expect(events).toEqual([{ at: T1, type: 'webhook', message: 'webhook event evt_X_2 redelivered by op-1234', data: { eventId: 'evt_X_2', operator: 'op-1234' } }]);
    expect({ ...state, log: before.log }).toEqual(before);
    expect(paymentView(state).events.at(-1)?.data?.operator).toBe('op-1234');
  });
});

import { TransStatus } from '../../src/codepay/trans-status';
import { flagForReview, mayComplete, refundWindowDeadlineMs, reserveRefund, applyOrderFact } from '../../src/workflows/payment-state';
import { awaitingStep } from '../../src/workflows/poll-schedule';
import { TypedSearchAttributes } from '@temporalio/common';
import { paymentStartSearchAttributes, publishedAtStart, searchAttributeUpdates } from '../../src/workflows/search-attributes';
import { T0, T1, awaiting, created, fact, input, paid } from './payment-fixtures';

const ms = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe('the wait for payment', () => {
  it('waits until the next poll, due its delay after the previous one, or the deadline when that comes first', () => {
    expect(awaitingStep(awaiting(), 0, ms(T0), [5_000, 60_000], ms(T0))).toEqual({ kind: 'wait', untilMs: ms(T0) + 5_000 });
    expect(awaitingStep(awaiting(), 1, ms(T0), [5_000, 60_000], ms(T0))).toEqual({ kind: 'wait', untilMs: ms(T0) + 60_000 });
    // 900 s to expire: the poll due at 950 s waits for the deadline
    expect(awaitingStep(awaiting(), 1, ms(T0) + 890_000, [5_000, 60_000], ms(T0) + 890_000)).toEqual({ kind: 'wait', untilMs: ms(T0) + 900_000 });
  });

  it('a notification that woke the wait does not move the next poll', () => {
    const since = ms(T0);
    expect(awaitingStep(awaiting(), 0, since + 3_000, [5_000], since)).toEqual({ kind: 'wait', untilMs: since + 5_000 });
  });

  it('expires past the deadline, unless a close is already under way (then it keeps polling)', () => {
    const late = ms(T0) + 900_000;
    expect(awaitingStep(awaiting(), 3, late, [5_000], late)).toEqual({ kind: 'expire' });
    expect(awaitingStep({ ...awaiting(), closing: 'cancel' }, 3, late, [5_000], late)).toEqual({ kind: 'wait', untilMs: late + 5_000 });
  });
});

describe('the refund window', () => {
  it('keeps a paid payment open for the window, then lets it complete', () => {
    expect(mayComplete(paid(), ms(T1) + HOUR - 1, HOUR)).toBe(false);
    expect(refundWindowDeadlineMs(paid(), ms(T1), HOUR)).toBe(ms(T1) + HOUR);
    // The same deadline from any moment inside the window: one timer serves every wait.
    expect(refundWindowDeadlineMs(paid(), ms(T1) + 60_000, HOUR)).toBe(ms(T1) + HOUR);
    expect(mayComplete(paid(), ms(T1) + HOUR, HOUR)).toBe(true);
    expect(refundWindowDeadlineMs(paid(), ms(T1) + HOUR, HOUR)).toBeUndefined();
  });

  it('never completes while a refund is in flight, even after the window', () => {
    const refunding = reserveRefund(paid(), { refundNo: 'R1', amountMinor: 100 }, T1).state;
    expect(mayComplete(refunding, ms(T1) + 2 * HOUR, HOUR)).toBe(false);
  });

  it('a closed payment completes at once; one in review waits for the operator, with no deadline', () => {
    const cancelled = applyOrderFact(paid(), fact(TransStatus.CANCELLED), 'reconcile', T1).state;
    expect(cancelled.status).toBe('CANCELLED');
    expect(mayComplete(cancelled, ms(T1), HOUR)).toBe(true);
    expect(refundWindowDeadlineMs(cancelled, ms(T1), HOUR)).toBeUndefined();
    const inReview = flagForReview(paid(), 'amount disagrees', {}, T1).state;
    expect(mayComplete(inReview, ms(T1) + 2 * HOUR, HOUR)).toBe(false);
    expect(refundWindowDeadlineMs(inReview, ms(T1), HOUR)).toBeUndefined();
  });
});

describe('search attributes', () => {
  it('upserts the static ones once, then only what changed', () => {
    const first = searchAttributeUpdates({}, awaiting());
    expect(first.updates.map((u) => u.key.name)).toEqual(['PaymentStatus', 'MerchantOrderNo', 'AmountMinor', 'Currency', 'PaymentCreatedAt']);
    expect(searchAttributeUpdates(first.published, awaiting()).updates).toEqual([]);
    const paidUpdates = searchAttributeUpdates(first.published, paid()).updates;
    expect(paidUpdates).toEqual([
      { key: expect.objectContaining({ name: 'PaymentStatus' }), value: 'PAID' },
      { key: expect.objectContaining({ name: 'CodePayTransNo' }), value: 'T9' },
    ]);
  });

  it('indexes at start what the first task finds (CREATING and the statics): that task upserts nothing, the created order its status alone', () => {
    const atStart = publishedAtStart(new TypedSearchAttributes(paymentStartSearchAttributes(input, new Date(T0))));
    const first = searchAttributeUpdates(atStart, created());
    expect(first.updates).toEqual([]);
    expect(searchAttributeUpdates(first.published, awaiting()).updates).toEqual([{ key: expect.objectContaining({ name: 'PaymentStatus' }), value: 'AWAITING_PAYMENT' }]);
  });
});

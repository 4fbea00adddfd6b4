import fc from 'fast-check';
import { TransStatus } from '../../src/codepay/trans-status';
import { PaymentErrorType } from '../../src/workflows/messages';
import { applyOrderFact, initialPaymentState, markClosing, markOrderCreated, paymentView, reserveRefund, settleRefund, type PaymentState } from '../../src/workflows/payment-state';
import { admitRefund, cancelRejection, MAX_REFUNDS_PER_PAYMENT, releaseRefund } from '../../src/workflows/refund-admission';
import { applyRefundFact } from '../../src/workflows/refund-state';

const T = '2030-01-01T00:00:00.000Z';
const awaiting = () => markOrderCreated(initialPaymentState({ merchantOrderNo: 'M1', amountMinor: 1000, currency: 'EUR', description: 'x', expiresInSeconds: 60 }, T), 'u', T).state;
const paid = (): PaymentState =>
  applyOrderFact(awaiting(), { merchantOrderNo: 'M1', transStatus: TransStatus.SUCCESS, currency: 'EUR', paidAmountMinor: 1000 }, 'poll', T).state;

describe('refund admission', () => {
  it('admits a refund within the refundable amount', () => {
    expect(admitRefund(paid(), { refundNo: 'R1', amountMinor: 1000 })).toEqual({ kind: 'new' });
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['fractional', 1.5],
    ['above paid', 1001],
  ])('rejects a %s amount', (_what, amountMinor) => {
    expect(admitRefund(paid(), { refundNo: 'R1', amountMinor })).toMatchObject({ kind: 'rejected', type: PaymentErrorType.REFUND_AMOUNT });
  });

  it('counts pending and succeeded refunds against the paid amount', () => {
    let state = reserveRefund(paid(), { refundNo: 'R1', amountMinor: 400 }, T).state;
    state = settleRefund(reserveRefund(state, { refundNo: 'R2', amountMinor: 300 }, T).state, { refundNo: 'R2', status: 'SUCCEEDED' }, T).state;
    expect(admitRefund(state, { refundNo: 'R3', amountMinor: 301 })).toMatchObject({ kind: 'rejected', type: PaymentErrorType.REFUND_AMOUNT });
    expect(admitRefund(state, { refundNo: 'R3', amountMinor: 300 })).toEqual({ kind: 'new' });
  });

  it('the same refund number with the same amount is the existing refund; a different amount conflicts', () => {
    const state = reserveRefund(paid(), { refundNo: 'R1', amountMinor: 400 }, T).state;
    expect(admitRefund(state, { refundNo: 'R1', amountMinor: 400 })).toMatchObject({ kind: 'existing', refund: { refundNo: 'R1', status: 'PENDING' } });
    expect(admitRefund(state, { refundNo: 'R1', amountMinor: 401 })).toMatchObject({ kind: 'rejected', type: PaymentErrorType.REFUND_NO_CONFLICT });
  });

  it('an existing refund is still returned once the payment is fully refunded', () => {
    const state = settleRefund(reserveRefund(paid(), { refundNo: 'R1', amountMinor: 1000 }, T).state, { refundNo: 'R1', status: 'SUCCEEDED' }, T).state;
    expect(state.status).toBe('REFUNDED');
    expect(admitRefund(state, { refundNo: 'R1', amountMinor: 1000 })).toMatchObject({ kind: 'existing' });
    expect(admitRefund(state, { refundNo: 'R2', amountMinor: 1 })).toMatchObject({ kind: 'rejected', type: PaymentErrorType.INVALID_STATE });
  });

  it(`allows at most ${MAX_REFUNDS_PER_PAYMENT} refunds`, () => {
    let state = paid();
    for (let i = 0; i < MAX_REFUNDS_PER_PAYMENT; i++) state = reserveRefund(state, { refundNo: `R${i}`, amountMinor: 10 }, T).state;
    expect(admitRefund(state, { refundNo: 'R99', amountMinor: 10 })).toMatchObject({ kind: 'rejected', type: PaymentErrorType.REFUND_LIMIT });
  });

  it('refuses the payment’s own number as a refund number', () => {
    expect(admitRefund(paid(), { refundNo: 'M1', amountMinor: 10 })).toMatchObject({ kind: 'rejected', type: PaymentErrorType.REFUND_NO_CONFLICT });
  });

  it('a refund CodePay refused because its number was taken (E04101) uses no slot; other failures do', () => {
    let state = paid();
    for (let i = 0; i < MAX_REFUNDS_PER_PAYMENT - 1; i++) state = reserveRefund(state, { refundNo: `R${i}`, amountMinor: 10 }, T).state;
    const failWith = (s: PaymentState, refundNo: string, code: string) =>
      settleRefund(reserveRefund(s, { refundNo, amountMinor: 10 }, T).state, { refundNo, status: 'FAILED', error: { code, message: 'x' } }, T).state;
    const taken = failWith(state, 'RX', 'E04101');
    expect(admitRefund(taken, { refundNo: 'R98', amountMinor: 10 })).toEqual({ kind: 'new' });
    const declined = failWith(state, 'RX', 'E04132');
    expect(admitRefund(declined, { refundNo: 'R98', amountMinor: 10 })).toMatchObject({ kind: 'rejected', type: PaymentErrorType.REFUND_LIMIT });
  });

  it('releasing a reservation that never started frees its slot, its amount and its number', () => {
    let state = paid();
    for (let i = 0; i < MAX_REFUNDS_PER_PAYMENT; i++) state = reserveRefund(state, { refundNo: `R${i}`, amountMinor: 10 }, T).state;
    const released = releaseRefund(state, 'R3', 'the number is used by another refund', T);
    expect(released.state.refunds.map((r) => r.refundNo)).not.toContain('R3');
    expect(released.events).toEqual([expect.objectContaining({ type: 'refund', message: 'refund R3 released: the number is used by another refund' })]);
    expect(admitRefund(released.state, { refundNo: 'R3', amountMinor: 910 })).toEqual({ kind: 'new' });
    // A settled refund is never released.
    const settled = settleRefund(state, { refundNo: 'R4', status: 'SUCCEEDED' }, T).state;
    expect(releaseRefund(settled, 'R4', 'x', T)).toEqual({ state: settled, events: [] });
  });

  it.each(['unpaid', 'cancelling'] as const)('rejects refunds of a payment that is %s', (which) => {
    const state = which === 'unpaid' ? awaiting() : markClosing(paid(), 'cancel', T).state;
    expect(admitRefund(state, { refundNo: 'R1', amountMinor: 1 })).toMatchObject({ kind: 'rejected', type: PaymentErrorType.INVALID_STATE });
  });

  it('admitting and reserving any sequence of requests never exceeds the paid amount', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ n: fc.integer({ min: 0, max: 15 }), amountMinor: fc.integer({ min: -10, max: 1200 }) }), { maxLength: 40 }), (requests) => {
        let state = paid();
        for (const { n, amountMinor } of requests) {
          const request = { refundNo: `R${n}`, amountMinor };
          if (admitRefund(state, request).kind === 'new') state = reserveRefund(state, request, T).state;
        }
        const view = paymentView(state);
        expect(view.pendingRefundMinor + view.refundedAmountMinor).toBeLessThanOrEqual(1000);
        expect(state.refunds.length).toBeLessThanOrEqual(MAX_REFUNDS_PER_PAYMENT);
      }),
    );
  });
});

describe('cancel admission', () => {
  it('allows cancelling an unpaid or a paid, unrefunded payment', () => {
    expect(cancelRejection(awaiting())).toBeUndefined();
    expect(cancelRejection(paid())).toBeUndefined();
  });

  it('allows cancelling an already cancelled payment again (idempotent)', () => {
    const cancelled = applyOrderFact(markClosing(awaiting(), 'cancel', T).state, { merchantOrderNo: 'M1', transStatus: TransStatus.CLOSED }, 'reconcile', T).state;
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelRejection(cancelled)).toBeUndefined();
  });

  it('rejects cancelling an expired payment', () => {
    const expired = applyOrderFact(markClosing(awaiting(), 'expiry', T).state, { merchantOrderNo: 'M1', transStatus: TransStatus.CLOSED }, 'reconcile', T).state;
    expect(cancelRejection(expired)).toMatchObject({ type: PaymentErrorType.INVALID_STATE });
  });

  it('rejects cancelling once a refund is in flight or done', () => {
    const state = reserveRefund(paid(), { refundNo: 'R1', amountMinor: 1 }, T).state;
    expect(cancelRejection(state)).toMatchObject({ type: PaymentErrorType.INVALID_STATE });
    const partly = settleRefund(state, { refundNo: 'R1', status: 'SUCCEEDED' }, T).state;
    expect(cancelRejection(partly)).toMatchObject({ type: PaymentErrorType.INVALID_STATE });
  });
});

describe('refund facts', () => {
  const pending = { refundNo: 'R1', amountMinor: 100, status: 'PENDING' as const, requestedAt: T };

  it('success → SUCCEEDED once; a later fact changes nothing', () => {
    const done = applyRefundFact(pending, { refundNo: 'R1', transNo: 'X', transStatus: TransStatus.SUCCESS }, T);
    expect(done).toMatchObject({ status: 'SUCCEEDED', codepayTransNo: 'X', completedAt: T });
    expect(applyRefundFact(done, { refundNo: 'R1', transStatus: TransStatus.CLOSED }, T)).toBe(done);
  });

  it('closed → FAILED with CodePay’s code', () => {
    expect(applyRefundFact(pending, { refundNo: 'R1', transStatus: TransStatus.CLOSED, errorCode: 'R001', errorMessage: 'no' }, T)).toMatchObject({
      status: 'FAILED',
      error: { code: 'R001', message: 'no' },
    });
  });

  it.each([TransStatus.PAYING, TransStatus.CREATED, 42])('trans_status %i keeps the refund pending', (transStatus) => {
    expect(applyRefundFact(pending, { refundNo: 'R1', transStatus }, T).status).toBe('PENDING');
  });
});

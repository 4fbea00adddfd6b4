import type { PaymentResponse } from '../../src/views/payment-response';
import type { Ledger, LedgerOrder, LedgerRefund } from '../../scripts/chaos/ledger';
import { isQuiescent, reconcile } from '../../scripts/chaos/reconcile';

/** The chaos run's verdict rests on these rules: each must flag the disagreement it is named for. */
const T = '2030-01-01T00:00:00.000Z';

function view(no: string, patch: Partial<PaymentResponse> = {}): PaymentResponse {
  return {
    merchantOrderNo: no,
    status: 'PAID',
    amount: '10.00',
    currency: 'USD',
    description: 'x',
    paidAmount: '10.00',
    refundedAmount: '0.00',
    pendingRefundAmount: '0.00',
    refundableAmount: '10.00',
    codepayTransNo: `T-${no}`,
    refundedByCancel: false,
    createdAt: T,
    updatedAt: T,
    expiresAt: T,
    refunds: [],
    events: [],
    ...patch,
  };
}

function order(no: string, patch: Partial<LedgerOrder> = {}): LedgerOrder {
  return {
    merchantOrderNo: no,
    transNo: `T-${no}`,
    status: 2,
    currency: 'USD',
    amountMinor: 1000,
    paidAmountMinor: 1000,
    refundedAmountMinor: 0,
    refunds: [],
    notifications: [{ attempt: 1, at: T, outcome: 'acked', httpStatus: 200 }],
    ...patch,
  };
}

const refund = (refundNo: string, origNo: string, amountMinor: number, status: number): LedgerRefund => ({
  refundNo,
  transNo: `RT-${refundNo}`,
  origMerchantOrderNo: origNo,
  origTransNo: `T-${origNo}`,
  status,
  currency: 'USD',
  amountMinor,
  notifications: [],
});

const refundView = (refundNo: string, amount: string, status: 'PENDING' | 'SUCCEEDED' | 'FAILED') => ({ refundNo, amount, currency: 'USD', status, requestedAt: T });

function run(views: Record<string, PaymentResponse | undefined>, orders: LedgerOrder[]) {
  const ledger: Ledger = { orders, refunds: orders.flatMap((o) => o.refunds) };
  return reconcile(new Map(Object.entries(views)), ledger);
}

describe('chaos reconciliation: workflow view against the sandbox ledger', () => {
  it('finds nothing when every state agrees', () => {
    const r = run(
      {
        A: view('A'),
        B: view('B', { status: 'EXPIRED', paidAmount: '0.00', refundableAmount: '0.00' }),
        C: view('C', { status: 'CANCELLED', refundedByCancel: true, refundableAmount: '0.00' }),
        D: view('D', { status: 'PARTIALLY_REFUNDED', refundedAmount: '4.00', refundableAmount: '6.00', refunds: [refundView('D-R1', '4.00', 'SUCCEEDED'), refundView('D-R2', '9.00', 'FAILED')] }),
      },
      [
        order('A'),
        order('B', { status: 1, paidAmountMinor: undefined }),
        order('C', { status: 3, cancelRefundAmountMinor: 1000 }),
        order('D', { refunds: [refund('D-R1', 'D', 400, 2)], refundedAmountMinor: 400 }),
      ],
    );
    expect(r.mismatches).toEqual([]);
    expect(r.moneyViolations).toEqual([]);
    expect(r.unsettled).toEqual([]);
    expect(r.finalStates).toEqual({ PAID: 1, EXPIRED: 1, CANCELLED: 1, PARTIALLY_REFUNDED: 1 });
    expect(r.notifications).toMatchObject({ attempts: 4, acked: 4 });
  });

  it('a paid order the workflow calls expired is a mismatch and an unrecorded payment', () => {
    const r = run({ A: view('A', { status: 'EXPIRED', paidAmount: '0.00' }) }, [order('A')]);
    expect(r.mismatches.map((f) => f.rule)).toEqual(expect.arrayContaining(['status', 'paid amount']));
    expect(r.moneyViolations.map((f) => f.rule)).toEqual(['paid order not recorded']);
  });

  it('a cancelled-after-payment order must read CANCELLED with refundedByCancel', () => {
    const r = run({ A: view('A', { status: 'CANCELLED', refundedByCancel: false }) }, [order('A', { status: 3 })]);
    expect(r.mismatches.map((f) => f.rule)).toContain('status');
  });

  it('a payment still PAID after the gateway refunded it on cancel is a money violation', () => {
    const r = run({ A: view('A') }, [order('A', { status: 3, cancelRefundAmountMinor: 1000 })]);
    expect(r.mismatches.map((f) => f.rule)).toEqual(['status']);
    expect(r.moneyViolations.map((f) => f.rule)).toEqual(['refund by cancel not recorded']);
  });

  it('refunded amount must equal the gateway refunds that succeeded', () => {
    const r = run(
      { A: view('A', { status: 'PARTIALLY_REFUNDED', refundedAmount: '4.00', refunds: [refundView('A-R1', '4.00', 'SUCCEEDED')] }) },
      [order('A', { refunds: [refund('A-R1', 'A', 400, 0)] })],
    );
    expect(r.mismatches.map((f) => f.rule)).toEqual(expect.arrayContaining(['refunded amount', 'refund A-R1']));
  });

  it('a refund counted twice, a refund at the gateway nobody recorded and a lost refund are money violations', () => {
    const r = run(
      {
        A: view('A', { status: 'PARTIALLY_REFUNDED', refundedAmount: '8.00', refunds: [refundView('A-R1', '4.00', 'SUCCEEDED')] }),
        B: view('B'),
        C: view('C', { refunds: [refundView('C-R1', '5.00', 'FAILED')] }),
      },
      [order('A', { refunds: [refund('A-R1', 'A', 400, 2)] }), order('B', { refunds: [refund('B-R9', 'B', 100, 2)] }), order('C', { refunds: [refund('C-R1', 'C', 500, 2)] })],
    );
    expect(r.moneyViolations.map((f) => `${f.merchantOrderNo} ${f.rule}`)).toEqual(
      expect.arrayContaining(['A refund counted twice or lost', 'B refund at the gateway not recorded', 'C refund C-R1 lost']),
    );
  });

  it('refunds beyond the paid amount are a money violation on either side', () => {
    const r = run(
      { A: view('A', { status: 'REFUNDED', refundedAmount: '10.00', pendingRefundAmount: '1.00', refunds: [refundView('A-R1', '10.00', 'SUCCEEDED'), refundView('A-R2', '1.00', 'PENDING')] }) },
      [order('A', { refunds: [refund('A-R1', 'A', 1000, 2), refund('A-R2', 'A', 100, 0)] })],
    );
    expect(r.moneyViolations.map((f) => f.rule)).toEqual(expect.arrayContaining(['refunds exceed paid', 'gateway refunded more than paid']));
    expect(r.unsettled.map((f) => f.merchantOrderNo)).toEqual(['A']);
  });

  it('a payment with no gateway order, and a gateway order nobody started, are mismatches', () => {
    const r = run({ A: view('A'), B: undefined }, [order('B'), order('Z')]);
    expect(r.mismatches.map((f) => `${f.merchantOrderNo} ${f.rule}`)).toEqual(
      expect.arrayContaining(['A payment without a gateway order', 'B order at the gateway has no payment', 'Z gateway order nobody started']),
    );
    expect(r.moneyViolations.map((f) => `${f.merchantOrderNo} ${f.rule}`)).toEqual(['B paid order not recorded']);
  });

  it('NEEDS_REVIEW and still-awaiting payments are reported, not passed', () => {
    const r = run(
      { A: view('A', { status: 'NEEDS_REVIEW', review: { reason: 'paid after close', evidence: {} } }), B: view('B', { status: 'AWAITING_PAYMENT', paidAmount: '0.00' }) },
      [order('A'), order('B', { status: 9, paidAmountMinor: undefined })],
    );
    expect(r.mismatches.map((f) => `${f.merchantOrderNo} ${f.rule}`)).toEqual(['A needs review']);
    expect(r.unsettled.map((f) => f.merchantOrderNo)).toEqual(['A', 'B']);
  });

  it('quiescent: final, or paid with no refund in flight', () => {
    expect(isQuiescent(view('A'))).toBe(true);
    expect(isQuiescent(view('A', { status: 'AWAITING_PAYMENT' }))).toBe(false);
    expect(isQuiescent(view('A', { refunds: [refundView('R', '1.00', 'PENDING')] }))).toBe(false);
  });

  it('tallies notification outcomes with the status of each rejection', () => {
    const r = run({ A: view('A') }, [
      order('A', {
        notifications: [
          { attempt: 1, at: T, outcome: 'dropped' },
          { attempt: 2, at: T, outcome: 'rejected', httpStatus: 503 },
          { attempt: 3, at: T, outcome: 'acked', httpStatus: 200 },
          { attempt: 3, at: T, outcome: 'acked', httpStatus: 200, duplicate: true },
        ],
      }),
    ]);
    expect(r.notifications).toEqual({ attempts: 4, acked: 2, rejected: 1, failed: 0, dropped: 1, duplicates: 1, rejectedByStatus: { '503': 1 } });
  });
});

import type { OrderFact, RefundFact } from '../../src/codepay/model';
import { addTotals, classifyPayment, codepayTotals, refundVerdict, totalsView, type CodePayRecord, type OurPayment } from '../../src/reconciliation/classify';
import type { RefundView } from '../../src/workflows/messages';

const NOW = '2026-12-06T02:30:00.000Z';
const paid: OurPayment = {
  merchantOrderNo: 'R1',
  status: 'PAID',
  amountMinor: 1000,
  currency: 'USD',
  paidAmountMinor: 1000,
  refundedAmountMinor: 0,
  codepayTransNo: 'T1',
  refundedByCancel: false,
  createdAt: '2026-12-05T10:00:00.000Z',
  refunds: [],
};
const order = (fact: Partial<OrderFact> = {}): OrderFact => ({ merchantOrderNo: 'R1', transNo: 'T1', transStatus: 2, currency: 'USD', orderAmountMinor: 1000, paidAmountMinor: 1000, ...fact });
const record = (fact: OrderFact | undefined, refunds: [string, RefundFact | undefined][] = []): CodePayRecord => ({ order: fact, refunds: new Map(refunds) });
const refund = (refundNo: string, status: RefundView['status'], amountMinor: number): RefundView => ({ refundNo, status, amountMinor, requestedAt: NOW });
const refundFact = (refundNo: string, transStatus: number, amountMinor: number): RefundFact => ({ refundNo, transStatus, amountMinor, currency: 'USD' });

describe('classifyPayment', () => {
  it('matches a paid payment CodePay reports paid with the same amount, currency and trans_no', () => {
    expect(classifyPayment(paid, record(order()), NOW)).toEqual({ kind: 'matched' });
  });

  it('reports a paid payment CodePay reversed (trans_status 3) as exactly one status exception, both sides kept', () => {
    expect(classifyPayment(paid, record(order({ transStatus: 3 })), NOW)).toEqual({
      kind: 'exception',
      exceptions: [{ merchantOrderNo: 'R1', kind: 'status', ours: { status: 'PAID', paidAmount: '10.00' }, codepay: { transStatus: 3, paidAmount: '10.00' } }],
    });
  });

  it('finds amount, currency and trans_no disagreements', () => {
    const verdict = classifyPayment(paid, record(order({ paidAmountMinor: 900, currency: 'EUR', transNo: 'T9' })), NOW);
    expect(verdict.kind === 'exception' && verdict.exceptions.map((e) => e.kind)).toEqual(['currency', 'amount', 'trans_no']);
    const amount = classifyPayment(paid, record(order({ paidAmountMinor: 900 })), NOW);
    expect(amount).toMatchObject({ kind: 'exception', exceptions: [{ kind: 'amount', ours: { paidAmount: '10.00' }, codepay: { paidAmount: '9.00' } }] });
  });

  it('knows which CodePay status each final status of ours needs', () => {
    const cancelledPaid = { ...paid, status: 'CANCELLED' as const, refundedByCancel: true };
    expect(classifyPayment(cancelledPaid, record(order({ transStatus: 3 })), NOW)).toEqual({ kind: 'matched' });
    const expired = { ...paid, status: 'EXPIRED' as const, paidAmountMinor: 0 };
    expect(classifyPayment(expired, record(order({ transStatus: 1, paidAmountMinor: undefined })), NOW)).toEqual({ kind: 'matched' });
    expect(classifyPayment(expired, record(order({ transStatus: 2 })), NOW)).toMatchObject({ kind: 'exception', exceptions: [{ kind: 'status' }] });
  });

  it('is pending, with its age, while our payment or one of its refunds is not final', () => {
    const awaiting = { ...paid, status: 'AWAITING_PAYMENT' as const, paidAmountMinor: 0 };
    expect(classifyPayment(awaiting, record(order({ transStatus: 0 })), NOW)).toEqual({ kind: 'pending', ageSeconds: 16 * 3600 + 30 * 60, reason: 'not final yet (trans_status 0 at CodePay)' });
    const refunding = { ...paid, refunds: [refund('RF1', 'PENDING', 300)] };
    expect(classifyPayment(refunding, record(order(), [['RF1', refundFact('RF1', 0, 300)]]), NOW)).toMatchObject({ kind: 'pending', reason: 'refund RF1 not final yet' });
    expect(classifyPayment({ ...paid, status: 'NEEDS_REVIEW' }, record(order({ transStatus: 3 })), NOW)).toMatchObject({ kind: 'pending', reason: 'under operator review' });
  });

  it('reports an order CodePay does not know, unless CodePay refused to create it', () => {
    expect(classifyPayment(paid, record(undefined), NOW)).toMatchObject({ kind: 'exception', exceptions: [{ kind: 'unknown_at_codepay', codepay: { transStatus: null } }] });
    const refused = { ...paid, status: 'FAILED' as const, codepayTransNo: undefined, paidAmountMinor: 0 };
    expect(classifyPayment(refused, record(undefined), NOW)).toEqual({ kind: 'matched' });
  });

  it('checks each refund against order.refund.query', () => {
    const refunded = { ...paid, status: 'PARTIALLY_REFUNDED' as const, refundedAmountMinor: 300, refunds: [refund('RF1', 'SUCCEEDED', 300), refund('RF2', 'FAILED', 200)] };
    expect(classifyPayment(refunded, record(order(), [['RF1', refundFact('RF1', 2, 300)], ['RF2', undefined]]), NOW)).toEqual({ kind: 'matched' });
    const wrong = classifyPayment(refunded, record(order(), [['RF1', refundFact('RF1', 2, 250)], ['RF2', refundFact('RF2', 2, 200)]]), NOW);
    expect(wrong).toMatchObject({
      kind: 'exception',
      exceptions: [
        { kind: 'refund_amount', ours: { refundNo: 'RF1', amount: '3.00' }, codepay: { amount: '2.50' } },
        { kind: 'refund_status', ours: { refundNo: 'RF2', status: 'FAILED' }, codepay: { transStatus: 2 } },
      ],
    });
  });
});

describe('refundVerdict', () => {
  it.each([
    ['SUCCEEDED', refundFact('X', 2, 100), 'matched'],
    ['SUCCEEDED', undefined, 'refund_status'],
    ['SUCCEEDED', refundFact('X', 1, 100), 'refund_status'],
    ['SUCCEEDED', refundFact('X', 2, 99), 'refund_amount'],
    ['FAILED', refundFact('X', 1, 100), 'matched'],
    ['FAILED', refundFact('X', 0, 100), 'refund_status'],
    ['PENDING', refundFact('X', 2, 100), 'pending'],
  ] as const)('%s against %j → %s', (ours, fact, expected) => {
    expect(refundVerdict(ours, 100, fact)).toBe(expected);
  });
});

describe('totals', () => {
  it("sums CodePay's paid orders (trans_status 2) and succeeded refunds per currency, net as a decimal string", () => {
    const a = codepayTotals(paid, record(order(), [['RF1', refundFact('RF1', 2, 300)], ['RF2', refundFact('RF2', 1, 200)]]));
    const b = codepayTotals(paid, record(order({ transStatus: 3 })));
    const c = codepayTotals({ currency: 'JPY' }, record(order({ currency: 'JPY', paidAmountMinor: 500, orderAmountMinor: 500 })));
    const sum = addTotals(addTotals(addTotals({}, a), b), c);
    expect(totalsView(sum)).toEqual([
      { currency: 'JPY', paid: '500', refunded: '0', net: '500' },
      { currency: 'USD', paid: '10.00', refunded: '3.00', net: '7.00' },
    ]);
    expect(totalsView({ USD: { paidMinor: 100, refundedMinor: 250 } })[0]!.net).toBe('-1.50');
  });
});

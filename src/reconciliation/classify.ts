/**
 * The reconciliation's rules as pure functions (docs/design.md §11): one payment as we recorded it
 * against CodePay's answers to `order.query` and `order.refund.query`, classified matched, pending
 * (not final yet) or exceptions of a kind, with both sides' values kept. No I/O and no clock: the
 * activity gathers the facts and passes `now`.
 */
import type { OrderFact, RefundFact } from '../codepay/model';
import { toDecimalString } from '../codepay/money';
import { TransStatus } from '../codepay/trans-status';
import type { PaymentStatus, PaymentView, RefundStatus } from '../workflows/messages';

export const EXCEPTION_KINDS = ['status', 'amount', 'currency', 'trans_no', 'refund_status', 'refund_amount', 'unknown_at_codepay'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

/** One side of an exception: plain values, amounts as decimal strings. */
export type Side = Record<string, string | number | null>;

export interface ReconciliationException {
  merchantOrderNo: string;
  kind: ExceptionKind;
  ours: Side;
  codepay: Side;
}

export type Verdict =
  | { kind: 'matched' }
  | { kind: 'pending'; ageSeconds: number; reason: string }
  | { kind: 'exception'; exceptions: ReconciliationException[] };

/** What CodePay answered for a payment: its order (undefined: CodePay knows no such order) and each of our refunds. */
export interface CodePayRecord {
  order: OrderFact | undefined;
  refunds: ReadonlyMap<string, RefundFact | undefined>;
}

/** Our side, as the payment workflow reports it (`getPayment` / its result). */
export type OurPayment = Pick<PaymentView, 'merchantOrderNo' | 'status' | 'amountMinor' | 'currency' | 'paidAmountMinor' | 'refundedAmountMinor' | 'codepayTransNo' | 'refundedByCancel' | 'createdAt' | 'refunds'>;

/** The trans_status CodePay must hold for a payment in a final status of ours. */
function expectedTransStatus(ours: OurPayment): number[] | undefined {
  const table: Partial<Record<PaymentStatus, number[]>> = {
    PAID: [TransStatus.SUCCESS],
    PARTIALLY_REFUNDED: [TransStatus.SUCCESS],
    REFUNDED: [TransStatus.SUCCESS],
    CANCELLED: [ours.refundedByCancel ? TransStatus.CANCELLED : TransStatus.CLOSED],
    EXPIRED: [TransStatus.CLOSED],
    FAILED: [TransStatus.CLOSED],
  };
  return table[ours.status];
}

const money = (minor: number | undefined, currency: string | undefined) => (minor === undefined || currency === undefined ? null : toDecimalString(minor, currency));
const holdsMoney = (transStatus: number) => transStatus === TransStatus.SUCCESS || transStatus === TransStatus.CANCELLED;

function ageSeconds(ours: OurPayment, now: string): number {
  return Math.max(0, Math.floor((Date.parse(now) - Date.parse(ours.createdAt)) / 1000));
}

/** Classifies one payment; `now` (ISO-8601) dates a pending payment's age. */
export function classifyPayment(ours: OurPayment, codepay: CodePayRecord, now: string): Verdict {
  const no = ours.merchantOrderNo;
  const exception = (kind: ExceptionKind, oursSide: Side, codepaySide: Side): ReconciliationException => ({ merchantOrderNo: no, kind, ours: oursSide, codepay: codepaySide });
  const pending = (reason: string): Verdict => ({ kind: 'pending', ageSeconds: ageSeconds(ours, now), reason });
  const order = codepay.order;

  if (order === undefined) {
    // An order CodePay refused to create never existed there: a FAILED payment without a trans_no.
    if (ours.status === 'FAILED' && ours.codepayTransNo === undefined) return { kind: 'matched' };
    if (ours.status === 'CREATING') return pending('the order is being created');
    return { kind: 'exception', exceptions: [exception('unknown_at_codepay', { status: ours.status, amount: money(ours.amountMinor, ours.currency) }, { transStatus: null })] };
  }
  if (ours.status === 'NEEDS_REVIEW') return pending('under operator review');
  const expected = expectedTransStatus(ours);
  // Not final here: the payment workflow is still polling and will settle it.
  if (!expected) return pending(`not final yet (trans_status ${order.transStatus} at CodePay)`);
  if (!expected.includes(order.transStatus)) {
    return { kind: 'exception', exceptions: [exception('status', { status: ours.status, paidAmount: money(ours.paidAmountMinor, ours.currency) }, { transStatus: order.transStatus, paidAmount: money(order.paidAmountMinor, order.currency ?? ours.currency) })] };
  }

  const found: ReconciliationException[] = [];
  if (order.currency !== undefined && order.currency !== ours.currency) found.push(exception('currency', { currency: ours.currency }, { currency: order.currency }));
  const currency = order.currency ?? ours.currency;
  if (holdsMoney(order.transStatus)) {
    const codepayPaid = order.paidAmountMinor ?? order.orderAmountMinor;
    const orderAmountDiffers = order.orderAmountMinor !== undefined && order.orderAmountMinor !== ours.amountMinor;
    if (codepayPaid !== ours.paidAmountMinor || orderAmountDiffers) {
      found.push(exception('amount', { amount: money(ours.amountMinor, ours.currency), paidAmount: money(ours.paidAmountMinor, ours.currency) }, { amount: money(order.orderAmountMinor, currency), paidAmount: money(codepayPaid, currency) }));
    }
  }
  if (order.transNo !== undefined && ours.codepayTransNo !== order.transNo && (ours.codepayTransNo !== undefined || holdsMoney(order.transStatus))) {
    found.push(exception('trans_no', { transNo: ours.codepayTransNo ?? null }, { transNo: order.transNo }));
  }

  let refundPending: string | undefined;
  for (const refund of ours.refunds) {
    const fact = codepay.refunds.get(refund.refundNo);
    const verdict = refundVerdict(refund.status, refund.amountMinor, fact);
    if (verdict === 'pending') refundPending ??= `refund ${refund.refundNo} not final yet`;
    else if (verdict !== 'matched') {
      const oursSide = { refundNo: refund.refundNo, status: refund.status, amount: money(refund.amountMinor, ours.currency) };
      const codepaySide = { refundNo: refund.refundNo, transStatus: fact?.transStatus ?? null, amount: money(fact?.amountMinor, fact?.currency ?? currency) };
      found.push(exception(verdict, oursSide, codepaySide));
    }
  }
  if (found.length > 0) return { kind: 'exception', exceptions: found };
  return refundPending ? pending(refundPending) : { kind: 'matched' };
}

/** One of our refunds against CodePay's record of it (undefined: CodePay knows no such refund). */
export function refundVerdict(ours: RefundStatus, amountMinor: number, fact: RefundFact | undefined): 'matched' | 'pending' | 'refund_status' | 'refund_amount' {
  if (ours === 'PENDING') return 'pending';
  const codepay = fact?.transStatus;
  if (ours === 'FAILED') return codepay === undefined || codepay === TransStatus.CLOSED ? 'matched' : 'refund_status';
  if (codepay !== TransStatus.SUCCESS) return 'refund_status';
  return fact?.amountMinor === undefined || fact.amountMinor === amountMinor ? 'matched' : 'refund_amount';
}

/** Minor units per currency: CodePay's confirmed figures. */
export interface CurrencyTotals {
  paidMinor: number;
  refundedMinor: number;
}

/**
 * A payment's share of the window's totals, from CodePay's side only: the paid amount when its
 * trans_status is 2, and every refund CodePay reports succeeded (status 2).
 */
export function codepayTotals(ours: Pick<OurPayment, 'currency'>, codepay: CodePayRecord): Map<string, CurrencyTotals> {
  const totals = new Map<string, CurrencyTotals>();
  const add = (currency: string, paidMinor: number, refundedMinor: number) => {
    const current = totals.get(currency) ?? { paidMinor: 0, refundedMinor: 0 };
    totals.set(currency, { paidMinor: current.paidMinor + paidMinor, refundedMinor: current.refundedMinor + refundedMinor });
  };
  const order = codepay.order;
  if (order?.transStatus === TransStatus.SUCCESS) add(order.currency ?? ours.currency, order.paidAmountMinor ?? order.orderAmountMinor ?? 0, 0);
  for (const fact of codepay.refunds.values()) {
    if (fact?.transStatus === TransStatus.SUCCESS) add(fact.currency ?? ours.currency, 0, fact.amountMinor ?? 0);
  }
  return totals;
}

/** Adds `more` into `into` (both per currency). */
export function addTotals(into: Record<string, CurrencyTotals>, more: ReadonlyMap<string, CurrencyTotals> | Record<string, CurrencyTotals>): Record<string, CurrencyTotals> {
  const result = { ...into };
  const entries = more instanceof Map ? [...more.entries()] : Object.entries(more);
  for (const [currency, t] of entries) {
    const current = result[currency] ?? { paidMinor: 0, refundedMinor: 0 };
    result[currency] = { paidMinor: current.paidMinor + t.paidMinor, refundedMinor: current.refundedMinor + t.refundedMinor };
  }
  return result;
}

/** Totals at the edge: decimal strings, `net` = paid − refunded, currencies in order. */
export function totalsView(totals: Record<string, CurrencyTotals>): { currency: string; paid: string; refunded: string; net: string }[] {
  return Object.keys(totals)
    .sort()
    .map((currency) => {
      const t = totals[currency]!;
      const net = t.paidMinor - t.refundedMinor;
      return { currency, paid: toDecimalString(t.paidMinor, currency), refunded: toDecimalString(t.refundedMinor, currency), net: `${net < 0 ? '-' : ''}${toDecimalString(Math.abs(net), currency)}` };
    });
}

/** The exceptions of one payment as review evidence: flat `kind.side.field` values, and a one-line reason. */
export function reviewFinding(exceptions: readonly ReconciliationException[]): { reason: string; evidence: Side } {
  const evidence: Side = {};
  exceptions.forEach((e, i) => {
    for (const [side, values] of [['ours', e.ours], ['codepay', e.codepay]] as const) {
      for (const [field, value] of Object.entries(values)) evidence[`${i + 1}.${e.kind}.${side}.${field}`] = value;
    }
  });
  const kinds = [...new Set(exceptions.map((e) => e.kind))].join(', ');
  return { reason: `reconciliation: our record disagrees with CodePay's (${kinds})`, evidence };
}

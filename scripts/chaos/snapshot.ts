import type { PaymentResponse } from '../../src/views/payment-response';
import type { Ledger } from './ledger';
import type { Finding } from './reconcile';

/**
 * What must not change when nothing legitimate happened: a payment's state and money, and the
 * gateway's books. The event log may grow (a replay is recorded as ignored), so it is left out.
 */
export function paymentEssence(view: PaymentResponse | undefined): string {
  if (!view) return 'absent';
  return JSON.stringify({
    status: view.status,
    paid: view.paidAmount,
    refunded: view.refundedAmount,
    pending: view.pendingRefundAmount,
    refundable: view.refundableAmount,
    refundedByCancel: view.refundedByCancel,
    transNo: view.codepayTransNo ?? null,
    refunds: view.refunds.map((r) => [r.refundNo, r.amount, r.status]),
    review: view.review?.reason ?? null,
    error: view.error?.code ?? null,
  });
}

export function ledgerEssence(ledger: Ledger): Map<string, string> {
  return new Map(
    ledger.orders.map((o) => [o.merchantOrderNo, JSON.stringify([o.status, o.paidAmountMinor ?? null, o.refunds.map((r) => [r.refundNo, r.amountMinor, r.status])])]),
  );
}

export function diffSnapshots(before: Map<string, string>, after: Map<string, string>, what: string): Finding[] {
  const findings: Finding[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(key) ?? 'absent';
    const b = after.get(key) ?? 'absent';
    if (a !== b) findings.push({ merchantOrderNo: key, rule: `${what} changed by bad input`, expected: a, actual: b });
  }
  return findings;
}

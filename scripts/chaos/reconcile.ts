import { toMinorUnits } from '../../src/codepay/money';
import { TransStatus } from '../../src/codepay/trans-status';
import type { PaymentResponse } from '../../src/views/payment-response';
import type { PaymentStatus } from '../../src/workflows/messages';
import type { Ledger, LedgerOrder, LedgerRefund } from './ledger';

/**
 * Every payment's workflow view (`GET /v1/payments/:no`) against the sandbox ledger, as a pure
 * function so its rules are unit-tested (test/chaos/reconcile.test.ts). Two kinds of finding:
 * a mismatch (workflow and gateway disagree about a state) and a money violation (money moved
 * that the workflow does not account for, or accounts for twice, or more refunded than paid).
 */
export interface Finding {
  merchantOrderNo: string;
  rule: string;
  expected: string;
  actual: string;
  /** The gateway's record, briefly, for the report. */
  ledger?: string;
}

export interface Reconciliation {
  checked: number;
  mismatches: Finding[];
  moneyViolations: Finding[];
  /** Payments still moving (not final, or with pending refunds) when reconciled. */
  unsettled: Finding[];
  finalStates: Partial<Record<PaymentStatus | 'MISSING', number>>;
  notifications: NotificationTally;
}

export interface NotificationTally {
  attempts: number;
  acked: number;
  rejected: number;
  failed: number;
  dropped: number;
  duplicates: number;
  /** Rejections by the HTTP status the webhook answered. */
  rejectedByStatus: Record<string, number>;
}

const PAID_STATUSES: ReadonlySet<PaymentStatus> = new Set(['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED']);
const SETTLED_STATUSES: ReadonlySet<PaymentStatus> = new Set(['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED', 'CANCELLED', 'EXPIRED', 'FAILED']);

/** A payment is at rest when nothing more happens by itself: a final state, or paid with no refund in flight. */
export function isQuiescent(view: PaymentResponse): boolean {
  return SETTLED_STATUSES.has(view.status) && view.refunds.every((r) => r.status !== 'PENDING');
}

function ledgerSummary(order: LedgerOrder | undefined): string {
  if (!order) return 'no order at the gateway';
  const refunds = order.refunds.map((r) => `${r.refundNo}:${r.amountMinor}/s${r.status}`).join(',');
  return `trans_status ${order.status}, amount ${order.amountMinor}, paid ${order.paidAmountMinor ?? '-'}, refunds [${refunds}]${
    order.cancelRefundAmountMinor !== undefined ? `, cancel refund ${order.cancelRefundAmountMinor}` : ''
  }`;
}

/** What the ledger's trans_status says the workflow's status must be, in words. */
function expectedFromLedger(order: LedgerOrder): string {
  switch (order.status) {
    case TransStatus.SUCCESS:
      return 'PAID | PARTIALLY_REFUNDED | REFUNDED';
    case TransStatus.CANCELLED:
      return 'CANCELLED (refundedByCancel)';
    case TransStatus.CLOSED:
      return 'EXPIRED | FAILED | CANCELLED (unpaid)';
    default:
      return `not final (trans_status ${order.status})`;
  }
}

function statusAgrees(view: PaymentResponse, order: LedgerOrder): boolean {
  switch (order.status) {
    case TransStatus.SUCCESS:
      return PAID_STATUSES.has(view.status);
    case TransStatus.CANCELLED:
      return view.status === 'CANCELLED' && view.refundedByCancel;
    case TransStatus.CLOSED:
      return view.status === 'EXPIRED' || view.status === 'FAILED' || (view.status === 'CANCELLED' && !view.refundedByCancel);
    default:
      return view.status === 'AWAITING_PAYMENT' || view.status === 'CREATING';
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function reconcile(views: Map<string, PaymentResponse | undefined>, ledger: Ledger): Reconciliation {
  const orders = new Map(ledger.orders.map((o) => [o.merchantOrderNo, o]));
  const mismatches: Finding[] = [];
  const moneyViolations: Finding[] = [];
  const unsettled: Finding[] = [];
  const finalStates: Reconciliation['finalStates'] = {};

  for (const [no, view] of views) {
    const order = orders.get(no);
    const ledgerText = ledgerSummary(order);
    const mismatch = (rule: string, expected: string, actual: string) =>
      mismatches.push({ merchantOrderNo: no, rule, expected, actual, ledger: ledgerText });
    const money = (rule: string, expected: string, actual: string) =>
      moneyViolations.push({ merchantOrderNo: no, rule, expected, actual, ledger: ledgerText });

    if (!view) {
      finalStates.MISSING = (finalStates.MISSING ?? 0) + 1;
      if (order) mismatch('order at the gateway has no payment', 'a payment workflow', 'GET answered 404');
      if (order && (order.status === TransStatus.SUCCESS || order.status === TransStatus.CANCELLED)) {
        money('paid order not recorded', 'a payment that records the money', 'no payment');
      }
      continue;
    }
    finalStates[view.status] = (finalStates[view.status] ?? 0) + 1;
    const minor = (decimal: string) => toMinorUnits(decimal, view.currency);
    const paid = minor(view.paidAmount);
    const refunded = minor(view.refundedAmount);
    const pending = minor(view.pendingRefundAmount);

    if (!isQuiescent(view)) {
      unsettled.push({ merchantOrderNo: no, rule: 'not settled', expected: 'final, or paid with no pending refund', actual: `${view.status}, pending refunds ${pending}`, ledger: ledgerText });
    }
    if (view.status === 'NEEDS_REVIEW') {
      mismatch('needs review', order ? expectedFromLedger(order) : 'FAILED', `NEEDS_REVIEW: ${view.review?.reason ?? '?'}`);
    }

    if (!order) {
      // Only a creation CodePay rejected leaves no order behind.
      if (view.status !== 'FAILED' && view.status !== 'NEEDS_REVIEW') mismatch('payment without a gateway order', 'FAILED (creation rejected)', view.status);
    } else {
      if (view.status !== 'NEEDS_REVIEW' && !statusAgrees(view, order)) {
        mismatch('status', expectedFromLedger(order), `${view.status}${view.refundedByCancel ? ' (refundedByCancel)' : ''}`);
        if ((order.status === TransStatus.SUCCESS || order.status === TransStatus.CANCELLED) && paid === 0) {
          money('paid order not recorded', `paid ${order.paidAmountMinor ?? order.amountMinor}`, `${view.status}, paid 0`);
        } else if (order.status === TransStatus.CANCELLED) {
          // The gateway gave the money back on cancel; a workflow that still counts it as paid would let the goods go.
          money('refund by cancel not recorded', `CANCELLED (refundedByCancel), ${order.cancelRefundAmountMinor ?? '?'} returned`, `${view.status}, paid ${paid}`);
        }
      }
      const ledgerPaid = order.paidAmountMinor ?? 0;
      if (paid !== ledgerPaid && view.status !== 'NEEDS_REVIEW') mismatch('paid amount', String(ledgerPaid), String(paid));
      if (view.codepayTransNo !== undefined && view.codepayTransNo !== order.transNo) mismatch('trans_no', order.transNo, view.codepayTransNo);
      reconcileRefunds(view, order, { mismatch, money, minor, refunded });
      const gatewayReserved = sum(order.refunds.filter((r) => r.status === TransStatus.SUCCESS || r.status === TransStatus.PAYING).map((r) => r.amountMinor));
      if (gatewayReserved + (order.cancelRefundAmountMinor ?? 0) > ledgerPaid) {
        money('gateway refunded more than paid', `≤ ${ledgerPaid}`, String(gatewayReserved + (order.cancelRefundAmountMinor ?? 0)));
      }
    }

    if (refunded + pending > paid) money('refunds exceed paid', `refunded + pending ≤ ${paid}`, `${refunded} + ${pending}`);
    const succeeded = sum(view.refunds.filter((r) => r.status === 'SUCCEEDED').map((r) => minor(r.amount)));
    if (succeeded !== refunded) money('refund counted twice or lost', `refundedAmount = Σ succeeded refunds = ${succeeded}`, String(refunded));
    const refundNos = view.refunds.map((r) => r.refundNo);
    if (new Set(refundNos).size !== refundNos.length) money('refund listed twice', 'unique refund numbers', refundNos.join(','));
  }

  for (const order of ledger.orders) {
    if (!views.has(order.merchantOrderNo)) {
      mismatches.push({ merchantOrderNo: order.merchantOrderNo, rule: 'gateway order nobody started', expected: 'no order', actual: 'order at the gateway', ledger: ledgerSummary(order) });
    }
  }

  return { checked: views.size, mismatches, moneyViolations, unsettled, finalStates, notifications: tallyNotifications(ledger) };
}

function reconcileRefunds(
  view: PaymentResponse,
  order: LedgerOrder,
  check: { mismatch: (r: string, e: string, a: string) => void; money: (r: string, e: string, a: string) => void; minor: (d: string) => number; refunded: number },
): void {
  const atGateway = new Map<string, LedgerRefund>(order.refunds.map((r) => [r.refundNo, r]));
  const gatewayRefunded = sum(order.refunds.filter((r) => r.status === TransStatus.SUCCESS).map((r) => r.amountMinor));
  if (check.refunded !== gatewayRefunded) check.mismatch('refunded amount', `Σ gateway refunds with status 2 = ${gatewayRefunded}`, String(check.refunded));
  for (const refund of view.refunds) {
    const gateway = atGateway.get(refund.refundNo);
    const amount = check.minor(refund.amount);
    if (gateway && gateway.amountMinor !== amount) check.mismatch(`refund ${refund.refundNo} amount`, String(gateway.amountMinor), String(amount));
    if (refund.status === 'SUCCEEDED' && gateway?.status !== TransStatus.SUCCESS) {
      check.mismatch(`refund ${refund.refundNo}`, gateway ? `trans_status ${gateway.status} → not SUCCEEDED` : 'no refund at the gateway', 'SUCCEEDED');
    }
    if (refund.status === 'FAILED' && (gateway?.status === TransStatus.SUCCESS || gateway?.status === TransStatus.PAYING)) {
      check.money(`refund ${refund.refundNo} lost`, `trans_status ${gateway.status} → PENDING or SUCCEEDED`, 'FAILED');
    }
  }
  const known = new Set(view.refunds.map((r) => r.refundNo));
  for (const refund of order.refunds) {
    if (!known.has(refund.refundNo)) check.money('refund at the gateway not recorded', 'no refund', `${refund.refundNo} ${refund.amountMinor} trans_status ${refund.status}`);
  }
}

export function tallyNotifications(ledger: Ledger): NotificationTally {
  const tally: NotificationTally = { attempts: 0, acked: 0, rejected: 0, failed: 0, dropped: 0, duplicates: 0, rejectedByStatus: {} };
  const attempts = [...ledger.orders.flatMap((o) => o.notifications), ...ledger.refunds.flatMap((r) => r.notifications)];
  for (const attempt of attempts) {
    tally.attempts += 1;
    tally[attempt.outcome] += 1;
    if (attempt.duplicate) tally.duplicates += 1;
    if (attempt.outcome === 'rejected') {
      const key = String(attempt.httpStatus ?? '?');
      tally.rejectedByStatus[key] = (tally.rejectedByStatus[key] ?? 0) + 1;
    }
  }
  return tally;
}

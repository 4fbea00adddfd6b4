/** The refund child's view and the pure function that moves it on CodePay's refund facts. */
import type { RefundFact, SubmitRefundRequest } from '../codepay/model';
import { TransStatus } from '../codepay/trans-status';
import type { RefundView } from './messages';

/** What the refund child submits to CodePay, plus its own poll schedule. */
export interface RefundInput extends SubmitRefundRequest {
  pollScheduleMs?: number[];
  /** The payment's CodePay trans_no, when known: a refund answer naming another original is for review. */
  paymentTransNo?: string;
}

export interface RefundReview {
  reason: string;
  evidence: Record<string, string | number | null>;
}

/** The child's result: its view, and when CodePay's answer disagreed with the refund we asked for, the evidence. */
export type RefundResult = RefundView & { review?: RefundReview };

/**
 * What in CodePay's answer about the refund (submit, query) disagrees with the refund we asked
 * for: its original order, amount, currency, or a trans_no other than the one CodePay gave before.
 * Fields CodePay left out are not a disagreement.
 */
export function refundDiscrepancies(input: RefundInput, view: RefundView, fact: RefundFact): string[] {
  const found: string[] = [];
  const differs = <T>(got: T | undefined, want: T | undefined) => got !== undefined && want !== undefined && got !== want;
  if (differs(fact.origMerchantOrderNo, input.merchantOrderNo)) found.push(`original order ${fact.origMerchantOrderNo}, expected ${input.merchantOrderNo}`);
  if (differs(fact.origTransNo, input.paymentTransNo)) found.push(`original trans_no ${fact.origTransNo}, expected ${input.paymentTransNo}`);
  if (differs(fact.currency, input.currency)) found.push(`currency ${fact.currency}, expected ${input.currency}`);
  if (differs(fact.amountMinor, input.amountMinor)) found.push(`amount ${fact.amountMinor} minor units, expected ${input.amountMinor}`);
  if (differs(fact.transNo, view.codepayTransNo)) found.push(`trans_no ${fact.transNo}, expected ${view.codepayTransNo}`);
  return found;
}

/** CodePay's answer disagrees with our refund: stop, release nothing silently, keep the evidence for the parent's review. */
export function refundForReview(view: RefundView, input: RefundInput, fact: RefundFact, found: string[], source: string, now: string): RefundResult {
  const reason = `refund ${input.refundNo}: CodePay's ${source} answer disagrees (${found.join('; ')})`;
  const evidence = {
    refundNo: input.refundNo,
    source,
    transStatus: fact.transStatus,
    transNo: fact.transNo ?? null,
    origMerchantOrderNo: fact.origMerchantOrderNo ?? null,
    origTransNo: fact.origTransNo ?? null,
    currency: fact.currency ?? null,
    amountMinor: fact.amountMinor ?? null,
    expectedAmountMinor: input.amountMinor,
    expectedCurrency: input.currency,
  };
  return { ...view, status: 'FAILED', completedAt: now, error: { code: 'NEEDS_REVIEW', message: reason }, review: { reason, evidence } };
}

/** CodePay's answer about the refund: checked against what we asked for, then applied. */
export function applyCheckedRefundFact(view: RefundView, input: RefundInput, fact: RefundFact, source: string, now: string): RefundResult {
  if (view.status !== 'PENDING') return view;
  const found = refundDiscrepancies(input, view, fact);
  return found.length > 0 ? refundForReview(view, input, fact, found, source, now) : applyRefundFact(view, fact, now);
}

/** A refund notification is a claim: it only wakes the child when it would settle the refund. */
export function refundClaimWouldSettle(view: RefundView, fact: RefundFact, now: string): boolean {
  return applyRefundFact(view, fact, now).status !== view.status;
}

/** A refund fact moves a PENDING refund once; anything later is a duplicate and changes nothing. */
export function applyRefundFact(view: RefundView, fact: RefundFact, now: string): RefundView {
  if (view.status !== 'PENDING' || fact.refundNo !== view.refundNo) return view;
  const codepayTransNo = fact.transNo ?? view.codepayTransNo;
  switch (fact.transStatus) {
    case TransStatus.SUCCESS:
      return { ...view, status: 'SUCCEEDED', codepayTransNo, completedAt: now };
    case TransStatus.CLOSED:
    case TransStatus.CANCELLED:
      return {
        ...view,
        status: 'FAILED',
        codepayTransNo,
        completedAt: now,
        error: { code: fact.errorCode ?? `TRANS_STATUS_${fact.transStatus}`, message: fact.errorMessage ?? 'CodePay did not complete the refund' },
      };
    default:
      // In progress or an unknown status: not a verdict, keep waiting.
      return { ...view, codepayTransNo };
  }
}

export function rejectedRefund(view: RefundView, error: { code: string; message: string }, now: string): RefundView {
  return { ...view, status: 'FAILED', error, completedAt: now };
}

/** The refund child's view and the pure function that moves it on CodePay's refund facts. */
import type { RefundFact, SubmitRefundRequest } from '../codepay/model';
import { TransStatus } from '../codepay/trans-status';
import type { RefundView } from './messages';

/** What the refund child submits to CodePay, plus its own poll schedule. */
export interface RefundInput extends SubmitRefundRequest {
  pollScheduleMs?: number[];
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

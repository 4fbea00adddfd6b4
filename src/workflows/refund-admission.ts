/**
 * Whether a refund or a cancel may be admitted, as pure decisions: the update validators call them
 * to reject early, and the handlers call them again because validators of queued updates run
 * before earlier handlers have reserved their amounts.
 */
import { PaymentErrorType, type RefundRequest, type RefundView } from './messages';
import { REFUNDABLE_STATUSES, pendingRefundMinor, refundableMinor, type PaymentState } from './payment-state';

/** At most 10 refunds per payment, our limit (docs/codepay-protocol.md §4.3); failed ones count too, to stay on the safe side. */
export const MAX_REFUNDS_PER_PAYMENT = 10;

export type Rejection = { type: (typeof PaymentErrorType)[keyof typeof PaymentErrorType]; message: string };

export type RefundAdmission = { kind: 'new' } | { kind: 'existing'; refund: RefundView } | ({ kind: 'rejected' } & Rejection);

export function admitRefund(state: PaymentState, request: RefundRequest): RefundAdmission {
  const existing = state.refunds.find((r) => r.refundNo === request.refundNo);
  if (existing) {
    if (existing.amountMinor === request.amountMinor) return { kind: 'existing', refund: existing };
    return reject(PaymentErrorType.REFUND_NO_CONFLICT, `refund ${request.refundNo} already exists with amount ${existing.amountMinor}`);
  }
  if (!REFUNDABLE_STATUSES.has(state.status) || state.closing === 'cancel') {
    return reject(PaymentErrorType.INVALID_STATE, `a ${state.status} payment cannot be refunded`);
  }
  if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor <= 0) {
    return reject(PaymentErrorType.REFUND_AMOUNT, 'refund amount must be a positive integer of minor units');
  }
  if (state.refunds.length >= MAX_REFUNDS_PER_PAYMENT) {
    return reject(PaymentErrorType.REFUND_LIMIT, `at most ${MAX_REFUNDS_PER_PAYMENT} refunds per payment`);
  }
  const refundable = refundableMinor(state);
  if (request.amountMinor > refundable) {
    return reject(PaymentErrorType.REFUND_AMOUNT, `refund of ${request.amountMinor} exceeds the refundable ${refundable} minor units`);
  }
  return { kind: 'new' };
}

/** Cancellable: unpaid, or paid with no refund succeeded or in flight (CodePay then refunds the shopper). */
export function cancelRejection(state: PaymentState): Rejection | undefined {
  // Cancel is idempotent: a retried cancel (its first answer lost) gets the cancelled payment back.
  if (state.status === 'CREATING' || state.status === 'AWAITING_PAYMENT' || state.status === 'CANCELLED') return undefined;
  if (state.status === 'PAID' && state.refundedAmountMinor === 0 && pendingRefundMinor(state) === 0) return undefined;
  return { type: PaymentErrorType.INVALID_STATE, message: `a ${state.status} payment cannot be cancelled` };
}

function reject(type: Rejection['type'], message: string): RefundAdmission {
  return { kind: 'rejected', type, message };
}

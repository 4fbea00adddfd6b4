/**
 * Whether a refund or a cancel may be admitted, as pure decisions: the update validators call them
 * to reject early, and the handlers call them again because validators of queued updates run
 * before earlier handlers have reserved their amounts.
 */
import { PaymentErrorType, type CommandRejection, type RefundRequest, type RefundView } from './messages';
import { REFUNDABLE_STATUSES, pendingRefundMinor, record, refundableMinor, type Outcome, type PaymentState } from './payment-state';

/** At most 10 refunds per payment, our limit (docs/codepay-protocol.md §4.3); failed ones count too, to stay on the safe side. */
export const MAX_REFUNDS_PER_PAYMENT = 10;

/**
 * Refund errors that mean "this refund number is used elsewhere": no refund was created at CodePay,
 * so it takes none of the payment's refund slots. E04101 is the duplicate-number code of our
 * sandbox; CodePay publishes no error table.
 */
export const REFUND_NO_TAKEN_CODES: ReadonlySet<string> = new Set(['E04101']);

/**
 * Whether a refund's failure must be followed by a query of the order: a refusal or decline may
 * come from a state of the order we have not recorded (cancelled and refunded by CodePay, issue 20),
 * so CodePay's answer about the order, not the refusal, decides. A number taken elsewhere says
 * nothing about this order.
 */
export function refundFailureNeedsOrderQuery(result: Pick<RefundView, 'status' | 'error'>): boolean {
  return result.status === 'FAILED' && !(result.error && REFUND_NO_TAKEN_CODES.has(result.error.code));
}

/** Refunds that use one of the payment's slots at CodePay. */
export function refundSlotsUsed(state: PaymentState): number {
  return state.refunds.filter((r) => !(r.status === 'FAILED' && r.error && REFUND_NO_TAKEN_CODES.has(r.error.code))).length;
}

/** A refusal as the API maps it to an HTTP status. */
export type Rejection = CommandRejection;

export type RefundAdmission = { kind: 'new' } | { kind: 'existing'; refund: RefundView } | ({ kind: 'rejected' } & Rejection);

export function admitRefund(state: PaymentState, request: RefundRequest): RefundAdmission {
  const existing = state.refunds.find((r) => r.refundNo === request.refundNo);
  if (existing) {
    if (existing.amountMinor === request.amountMinor) return { kind: 'existing', refund: existing };
    return reject(PaymentErrorType.REFUND_NO_CONFLICT, `refund ${request.refundNo} already exists with amount ${existing.amountMinor}`);
  }
  if (request.refundNo === state.merchantOrderNo) {
    return reject(PaymentErrorType.REFUND_NO_CONFLICT, `refund number ${request.refundNo} is the payment's own number`);
  }
  if (!REFUNDABLE_STATUSES.has(state.status) || state.closing === 'cancel') {
    return reject(PaymentErrorType.INVALID_STATE, `a ${state.status} payment cannot be refunded`);
  }
  if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor <= 0) {
    return reject(PaymentErrorType.REFUND_AMOUNT, 'refund amount must be a positive integer of minor units');
  }
  if (refundSlotsUsed(state) >= MAX_REFUNDS_PER_PAYMENT) {
    return reject(PaymentErrorType.REFUND_LIMIT, `at most ${MAX_REFUNDS_PER_PAYMENT} refunds per payment`);
  }
  const refundable = refundableMinor(state);
  if (request.amountMinor > refundable) {
    return reject(PaymentErrorType.REFUND_AMOUNT, `refund of ${request.amountMinor} exceeds the refundable ${refundable} minor units`);
  }
  return { kind: 'new' };
}

/**
 * Drops a reservation whose refund never started (its number is held by another refund): nothing
 * reached CodePay, so it keeps neither a slot nor the number on this payment.
 */
export function releaseRefund(state: PaymentState, refundNo: string, why: string, now: string): Outcome {
  const refunds = state.refunds.filter((r) => !(r.refundNo === refundNo && r.status === 'PENDING'));
  if (refunds.length === state.refunds.length) return { state, events: [] };
  return record({ ...state, refunds }, [{ at: now, type: 'refund', message: `refund ${refundNo} released: ${why}`, data: { refundNo } }]);
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

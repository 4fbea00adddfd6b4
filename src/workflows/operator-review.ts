/**
 * An operator's decision on a NEEDS_REVIEW payment, as pure functions: what the decision means
 * given CodePay's record of the order, re-queried just before deciding. CodePay's record is the
 * fact; the operator only chooses to accept it as final or to close the payment as failed, and
 * neither may record money differently from what CodePay holds — such a decision is refused and
 * the payment stays in review.
 */
import type { OrderFact } from '../codepay/model';
import { TransStatus } from '../codepay/trans-status';
import { PaymentErrorType, type PaymentEvent, type PaymentStatus, type ReviewRequest } from './messages';
import { paidMismatch, pendingRefundMinor, record, transition, type Outcome, type PaymentState } from './payment-state';
import type { Rejection } from './refund-admission';

export type ReviewResult = { kind: 'decided'; outcome: Outcome } | { kind: 'refused'; rejection: Rejection; outcome: Outcome };

/** Where a decision moves the payment, or why CodePay's record does not allow it. */
type Target = { status: PaymentStatus; patch: Partial<PaymentState>; why: string } | { refused: string };

/** A decision is only taken for a payment in review (the update's validator and handler ask). */
export function reviewRejection(state: PaymentState): Rejection | undefined {
  if (state.status === 'NEEDS_REVIEW') return undefined;
  return { type: PaymentErrorType.INVALID_STATE, message: `payment ${state.merchantOrderNo} is ${state.status}, not under review` };
}

/**
 * Applies `request` given CodePay's current record `fact`. Either way the decision is logged with
 * who and why and what CodePay said; only a decided one moves the payment.
 */
export function decideReview(state: PaymentState, request: ReviewRequest, fact: OrderFact, now: string): ReviewResult {
  const stale = reviewRejection(state);
  if (stale) return { kind: 'refused', rejection: stale, outcome: { state, events: [] } };
  const target: Target =
    fact.merchantOrderNo !== state.merchantOrderNo
      ? { refused: `CodePay answered about order ${fact.merchantOrderNo}` }
      : request.decision === 'accept_codepay_record'
        ? acceptRecord(state, fact, now)
        : closeAsFailed(state, fact, request.reason);
  const data = { operator: request.operator, decision: request.decision, reason: request.reason, transStatus: fact.transStatus, transNo: fact.transNo ?? null, paidAmountMinor: fact.paidAmountMinor ?? null };
  if ('refused' in target) {
    const message = `operator ${request.operator}: ${request.decision} refused — ${target.refused} (reason given: ${request.reason})`;
    const outcome = record(state, [{ at: now, type: 'review', message, data: { ...data, refused: target.refused } }]);
    return { kind: 'refused', rejection: { type: PaymentErrorType.REVIEW_REFUSED, message: `${request.decision} refused: ${target.refused}` }, outcome };
  }
  const decided: PaymentEvent = { at: now, type: 'review', message: `operator ${request.operator}: ${request.decision} — ${request.reason}`, data };
  const logged = record(state, [decided]);
  const resolution = { decision: request.decision, operator: request.operator, reason: request.reason, at: now, transStatus: fact.transStatus };
  const review = { reason: state.review?.reason ?? 'under review', evidence: state.review?.evidence ?? {}, resolution };
  const moved = transition(logged.state, target.status, { ...target.patch, review }, now, `operator review (${request.decision}): ${target.why}`);
  return { kind: 'decided', outcome: { state: moved.state, events: [decided, ...moved.events] } };
}

/** CodePay holds no money for the order (closed unpaid, or refunded by a cancel): our refunds would contradict it. */
function refundsContradict(state: PaymentState): string | undefined {
  if (state.refundedAmountMinor > 0 || pendingRefundMinor(state) > 0) {
    return `CodePay holds no money for the order, but ${state.refundedAmountMinor + pendingRefundMinor(state)} minor units are refunded or refunding here`;
  }
  return undefined;
}

/** "Accept CodePay's record as final": the status CodePay's final trans_status means for this order. */
function acceptRecord(state: PaymentState, fact: OrderFact, now: string): Target {
  const codepayTransNo = fact.transNo ?? state.codepayTransNo;
  switch (fact.transStatus) {
    case TransStatus.SUCCESS: {
      const mismatch = paidMismatch(state, fact);
      if (mismatch) return { refused: `CodePay's record still disagrees with this payment: ${mismatch}` };
      const refunded = state.refundedAmountMinor;
      const status: PaymentStatus = refunded === 0 ? 'PAID' : refunded >= state.amountMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
      // An earlier close (expiry or cancel) did not happen at CodePay: nothing is closing any more.
      const patch = { codepayTransNo, paidAmountMinor: state.amountMinor, paidAt: state.paidAt ?? now, closing: undefined, error: undefined };
      return { status, patch, why: 'CodePay reports it paid with the expected amount' };
    }
    case TransStatus.CANCELLED: {
      const mismatch = paidMismatch(state, fact) ?? refundsContradict(state);
      if (mismatch) return { refused: `CodePay's record still disagrees with this payment: ${mismatch}` };
      return { status: 'CANCELLED', patch: { codepayTransNo, paidAmountMinor: state.amountMinor, refundedByCancel: true, error: undefined }, why: 'CodePay reports it cancelled after payment; the shopper was refunded' };
    }
    case TransStatus.CLOSED: {
      const contradiction = refundsContradict(state);
      if (contradiction) return { refused: `CodePay's record still disagrees with this payment: ${contradiction}` };
      const unpaid = { codepayTransNo, paidAmountMinor: 0, paidAt: undefined, refundedByCancel: false };
      if (state.closing === 'expiry' || Date.parse(now) >= Date.parse(state.expiresAt)) return { status: 'EXPIRED', patch: unpaid, why: 'CodePay closed it unpaid after the deadline' };
      if (state.closing === 'cancel') return { status: 'CANCELLED', patch: unpaid, why: 'CodePay closed it unpaid on request' };
      const error = { code: fact.errorCode ?? 'CLOSED', message: fact.errorMessage ?? 'CodePay closed the order' };
      return { status: 'FAILED', patch: { ...unpaid, error }, why: `CodePay closed it unpaid (${error.code})` };
    }
    default:
      return { refused: `CodePay has no final record for the order yet (trans_status ${fact.transStatus})` };
  }
}

/** "Close as failed": only when CodePay holds none of the shopper's money for the order. */
function closeAsFailed(state: PaymentState, fact: OrderFact, reason: string): Target {
  const codepayTransNo = fact.transNo ?? state.codepayTransNo;
  const error = { code: 'OPERATOR_CLOSED', message: reason };
  switch (fact.transStatus) {
    case TransStatus.SUCCESS:
      return { refused: "CodePay holds the shopper's payment (trans_status 2): accept CodePay's record if the money is right, or have CodePay refund the shopper first" };
    case TransStatus.CLOSED:
    case TransStatus.CANCELLED: {
      const contradiction = refundsContradict(state);
      if (contradiction) return { refused: contradiction };
      const cancelled = fact.transStatus === TransStatus.CANCELLED;
      const patch = cancelled ? { codepayTransNo, refundedByCancel: true, error } : { codepayTransNo, paidAmountMinor: 0, paidAt: undefined, error };
      return { status: 'FAILED', patch, why: cancelled ? 'closed by an operator; CodePay refunded the shopper' : 'closed by an operator; CodePay closed the order unpaid' };
    }
    default:
      return { refused: `the order is still open at CodePay (trans_status ${fact.transStatus}) and can still be paid; decide once CodePay has closed it` };
  }
}

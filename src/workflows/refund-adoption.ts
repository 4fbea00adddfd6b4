/**
 * Refunds made outside this service (docs/design.md §11), as pure functions. A verified refund
 * notification for this payment under a number we never issued is a claim; CodePay's
 * `order.refund.query` is the fact. A confirmed refund is recorded with origin `codepay` and counts
 * like ours; one the query does not confirm changes nothing but the log.
 */
import type { RefundFact } from '../codepay/model';
import { TransStatus } from '../codepay/trans-status';
import type { RefundView } from './messages';
import { REFUNDABLE_STATUSES, flagForReview, record, transition, type Outcome, type PaymentState } from './payment-state';

/** The claim is worth a query: a succeeded refund of this payment under a number it does not know. */
export function isForeignRefundClaim(state: PaymentState, claim: RefundFact): boolean {
  if (state.refunds.some((r) => r.refundNo === claim.refundNo)) return false;
  if (claim.origMerchantOrderNo !== undefined && claim.origMerchantOrderNo !== state.merchantOrderNo) return false;
  return claim.transStatus === TransStatus.SUCCESS;
}

/** Why CodePay's answer does not confirm the claim, or undefined when it does. */
function unconfirmed(state: PaymentState, claim: RefundFact, fact: RefundFact | undefined): string | undefined {
  if (!fact) return 'CodePay knows no such refund';
  if (fact.refundNo !== claim.refundNo) return `CodePay answered about refund ${fact.refundNo}`;
  if (fact.transStatus !== TransStatus.SUCCESS) return `CodePay reports trans_status ${fact.transStatus}`;
  if (fact.origMerchantOrderNo !== undefined && fact.origMerchantOrderNo !== state.merchantOrderNo) return `CodePay says it refunds order ${fact.origMerchantOrderNo}`;
  if (fact.currency !== undefined && fact.currency !== state.currency) return `refund in ${fact.currency}, payment in ${state.currency}`;
  if (fact.amountMinor === undefined || fact.amountMinor <= 0) return 'CodePay reports no refund amount';
  return undefined;
}

/**
 * Applies CodePay's answer (`fact`, undefined when CodePay knows no such refund) to the claim.
 * Confirmed: a SUCCEEDED refund of origin `codepay`, refundedAmount and status follow; more than
 * was paid, or a payment not in a refundable status, also goes to review (the money left anyway).
 */
export function adoptForeignRefund(state: PaymentState, claim: RefundFact, fact: RefundFact | undefined, now: string): Outcome {
  if (state.refunds.some((r) => r.refundNo === claim.refundNo)) return { state, events: [] };
  const refuted = unconfirmed(state, claim, fact);
  if (refuted || !fact?.amountMinor) {
    return record(state, [{ at: now, type: 'ignored', message: `refund notification ${claim.refundNo} not adopted: ${refuted}`, data: { refundNo: claim.refundNo, transStatus: fact?.transStatus ?? null } }]);
  }
  const amountMinor = fact.amountMinor;
  const refund: RefundView = { refundNo: claim.refundNo, amountMinor, status: 'SUCCEEDED', codepayTransNo: fact.transNo, requestedAt: now, completedAt: now, origin: 'codepay', reason: 'refunded outside this service (CodePay)' };
  const refundedAmountMinor = state.refundedAmountMinor + amountMinor;
  const adopted = record({ ...state, refunds: [...state.refunds, refund], refundedAmountMinor }, [
    { at: now, type: 'refund', message: `refund ${claim.refundNo} of ${amountMinor} minor units made at CodePay adopted`, data: { refundNo: claim.refundNo, amountMinor, status: 'SUCCEEDED', origin: 'codepay' } },
  ]);
  const evidence = { refundNo: claim.refundNo, amountMinor, refundedAmountMinor, paidAmountMinor: state.paidAmountMinor, previousStatus: state.status };
  if (!REFUNDABLE_STATUSES.has(state.status)) {
    const flagged = flagForReview(adopted.state, `CodePay refunded ${amountMinor} minor units of a payment recorded as ${state.status}`, evidence, now);
    return { state: flagged.state, events: [...adopted.events, ...flagged.events] };
  }
  if (refundedAmountMinor > state.paidAmountMinor) {
    const flagged = flagForReview(adopted.state, `CodePay refunded ${refundedAmountMinor} minor units in all, more than the ${state.paidAmountMinor} paid`, evidence, now);
    return { state: flagged.state, events: [...adopted.events, ...flagged.events] };
  }
  const to = refundedAmountMinor >= state.paidAmountMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  if (to === state.status) return adopted;
  const moved = transition(adopted.state, to, {}, now, `refunded ${refundedAmountMinor} of ${state.paidAmountMinor} minor units (a refund made at CodePay)`);
  return { state: moved.state, events: [...adopted.events, ...moved.events] };
}

/**
 * What a reconciliation's finding does to a payment (docs/design.md §11), as a pure function: the
 * payment stops in NEEDS_REVIEW with both sides' values as evidence, and the existing operator
 * review decides. Nothing here records money differently: the reconciliation only points.
 */
import type { ReconciliationFinding } from './messages';
import { flagForReview, record, type Outcome, type PaymentState } from './payment-state';

/** Not final yet: the payment's own polling settles it, a reconciliation has nothing to add. */
const UNSETTLED = new Set(['CREATING', 'AWAITING_PAYMENT']);

export function applyReconciliationFinding(state: PaymentState, finding: ReconciliationFinding, now: string): Outcome {
  const evidence = { reconciliationId: finding.reconciliationId, ...finding.evidence };
  if (state.status === 'NEEDS_REVIEW' || UNSETTLED.has(state.status)) {
    const why = state.status === 'NEEDS_REVIEW' ? 'already under review' : `not applied while ${state.status}`;
    return record(state, [{ at: now, type: 'review', message: `${finding.reason} (${why})`, data: evidence }]);
  }
  return flagForReview(state, finding.reason, evidence, now);
}

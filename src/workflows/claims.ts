/**
 * A notification is a claim; CodePay's own answer to a query is the fact. These pure rules decide
 * what a payment notification may do by itself (nothing that moves the payment), when the workflow
 * must ask CodePay to confirm, and when a conversation with CodePay after a close is over. The
 * workflow wires them; every rule is unit-tested in test/workflows/claims.test.ts.
 */
import type { OrderFact } from '../codepay/model';
import { TransStatus } from '../codepay/trans-status';
import { applyOrderFact, flagForReview, record, type FactSource, type Outcome, type PaymentState } from './payment-state';

export interface ClaimReceipt extends Outcome {
  /** The claim would move the payment: ask CodePay before believing it. */
  confirm: boolean;
}

type Evidence = Record<string, string | number | null>;

function claimEvidence(state: PaymentState, fact: OrderFact, source: string): Evidence {
  return {
    source,
    transStatus: fact.transStatus,
    transNo: fact.transNo ?? null,
    knownTransNo: state.codepayTransNo ?? null,
    currency: fact.currency ?? null,
    orderAmountMinor: fact.orderAmountMinor ?? null,
    paidAmountMinor: fact.paidAmountMinor ?? null,
    previousStatus: state.status,
  };
}

/** Once CodePay gave us the order's trans_no, another one is evidence of a second transaction, not a fact. */
export function transNoConflict(state: PaymentState, fact: OrderFact): string | undefined {
  if (state.codepayTransNo === undefined || fact.transNo === undefined || fact.transNo === state.codepayTransNo) return undefined;
  return `trans_no ${fact.transNo} differs from CodePay's ${state.codepayTransNo}`;
}

/**
 * A payment notification. What would not move the payment (a duplicate, an older status) is
 * recorded exactly as a fact would be; what would move it is only recorded, and the workflow
 * confirms it with Query order. A trans_no other than the known one goes to NEEDS_REVIEW.
 */
export function receivePaymentClaim(state: PaymentState, fact: OrderFact, now: string): ClaimReceipt {
  if (fact.merchantOrderNo === state.merchantOrderNo) {
    const conflict = transNoConflict(state, fact);
    if (conflict && state.status !== 'NEEDS_REVIEW') {
      const noted = claimNoted(state, fact, now, 'conflicts with what CodePay told us');
      const review = flagForReview(noted.state, `notification: ${conflict}`, claimEvidence(state, fact, 'notification'), now);
      return { state: review.state, events: [...noted.events, ...review.events], confirm: false };
    }
  }
  if (!claimWouldMove(state, fact, now)) return { ...applyOrderFact(state, fact, 'notification', now), confirm: false };
  return { ...claimNoted(state, fact, now, 'to confirm with Query order'), confirm: true };
}

/** Whether the claim, taken as a fact, would change the payment's status (then only CodePay's query may). */
export function claimWouldMove(state: PaymentState, claim: OrderFact, now: string): boolean {
  return applyOrderFact(state, claim, 'notification', now).state.status !== state.status;
}

function claimNoted(state: PaymentState, fact: OrderFact, now: string, note: string): Outcome {
  const data: Record<string, string | number> = { transStatus: fact.transStatus, source: 'notification' };
  if (fact.transNo !== undefined) data.transNo = fact.transNo;
  return record(state, [{ at: now, type: 'notified', message: `notification: trans_status ${fact.transStatus} claimed — ${note}`, data }]);
}

/** A fact from CodePay's query, checked against the trans_no we already know before it is applied. */
export function applyQueriedFact(state: PaymentState, fact: OrderFact, source: FactSource, now: string): Outcome {
  const conflict = fact.merchantOrderNo === state.merchantOrderNo ? transNoConflict(state, fact) : undefined;
  if (conflict && state.status !== 'NEEDS_REVIEW') return flagForReview(state, `${source}: ${conflict}`, claimEvidence(state, fact, source), now);
  return applyOrderFact(state, fact, source, now);
}

/**
 * CodePay's answer to the query that confirms a claim. The answer moves the payment; a claim the
 * answer does not bear out is logged with both sides, and changes nothing else.
 */
export function confirmPaymentClaim(state: PaymentState, claim: OrderFact, answer: OrderFact, now: string): Outcome {
  const applied = applyQueriedFact(state, answer, 'reconcile', now);
  if (answer.transStatus === claim.transStatus) return applied;
  const refuted: Outcome = record(applied.state, [
    {
      at: now,
      type: 'ignored',
      message: `notification claimed trans_status ${claim.transStatus}; CodePay's query says ${answer.transStatus}: the claim is not applied`,
      data: { claimedTransStatus: claim.transStatus, transStatus: answer.transStatus, claimedTransNo: claim.transNo ?? null },
    },
  ]);
  return { state: refuted.state, events: [...applied.events, ...refuted.events] };
}

/** How many answers that do not reflect an accepted close we take before an operator must look (≈ 15 min of backoff). */
export const CLOSE_ANSWERS_BEFORE_REVIEW = 20;
const CLOSE_BACKOFF_MAX_MS = 60_000;

export type CloseProgress = { kind: 'settled' } | { kind: 'ask-again'; afterMs: number } | { kind: 'stuck'; reason: string };

/**
 * After CodePay accepted our close, its query answer ends the conversation only when it is final
 * and reflects the close: `1` closed, or `3` cancelled after a payment (the shopper refunded).
 * Anything else (`2` paid, `0`, `9`, unknown) means CodePay has not applied the close yet: ask
 * again with backoff; after `CLOSE_ANSWERS_BEFORE_REVIEW` such answers, an operator decides.
 * `answers` counts the answers so far, this one included.
 */
export function closeProgress(answer: OrderFact | undefined, answers: number): CloseProgress {
  if (answer && (answer.transStatus === TransStatus.CLOSED || answer.transStatus === TransStatus.CANCELLED)) return { kind: 'settled' };
  if (answers >= CLOSE_ANSWERS_BEFORE_REVIEW) {
    const said = answer ? `trans_status ${answer.transStatus}` : 'no usable answer';
    return { kind: 'stuck', reason: `CodePay accepted the close but still reports ${said} after ${answers} queries` };
  }
  return { kind: 'ask-again', afterMs: Math.min(1_000 * 2 ** (answers - 1), CLOSE_BACKOFF_MAX_MS) };
}

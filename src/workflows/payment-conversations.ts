/**
 * The payment's conversations with CodePay, one at a time (docs/design.md, "One conversation with
 * CodePay at a time"): the create, a poll, the expiry, a claim's confirmation, a cancel, a refund's
 * admission and an operator's review each hold one lock (async-mutex, as Temporal's
 * safe-message-handlers sample does) from their first decision to their last commit. A handler
 * that awaits therefore decides on the state the previous conversation left, never on a state
 * another handler is halfway through changing; identical concurrent cancels share one conversation
 * and its one answer. The rules are the pure modules'; this file only sequences calls and commits.
 */
import { context as otelContext, type Context as OtelContext } from '@opentelemetry/api';
import { Mutex } from 'async-mutex';
import { ApplicationFailure, ParentClosePolicy, condition, sleep, startChild } from '@temporalio/workflow';
import type { OrderFact, RefundFact } from '../codepay/model';
import { CLOSE_ANSWERS_BEFORE_REVIEW, applyQueriedFact, claimWouldMove, closeProgress, confirmPaymentClaim } from './claims';
import { failureSummary, gatewayRejection, paymentCalls, type GatewayRejection } from './codepay-calls';
import { PaymentErrorType, refundWorkflowId, type PaymentInput, type PaymentView, type ReconciliationFinding, type RefundRequest, type RefundView, type ReviewRequest } from './messages';
import { decideReview } from './operator-review';
import type { PaymentRun } from './payment-run';
import { applyOrderFact, flagForReview, markClosing, markCreationFailed, markOrderCreated, paymentView, reserveRefund, settleRefund, type FactSource } from './payment-state';
import { refundStaticSummary } from './payment-summary';
import { applyReconciliationFinding } from './reconciliation-finding';
import { admitRefund, cancelRejection, refundFailureNeedsOrderQuery, releaseRefund, type Rejection } from './refund-admission';
import { adoptForeignRefund, isForeignRefundClaim } from './refund-adoption';
import { refundWorkflow } from './refund-workflow';

/** Ends a command with the rejection the API maps to an HTTP status (payment-command-intake records it). */
export const fail = (rejection: Rejection): never => {
  throw ApplicationFailure.create({ message: rejection.message, type: rejection.type, nonRetryable: true });
};

export type PaymentConversations = ReturnType<typeof paymentConversations>;

/** CodePay's answer to a refund query for a number it does not know. */
const REFUND_NOT_FOUND = 'E04110';

export function paymentConversations(run: PaymentRun, input: PaymentInput) {
  const lock = new Mutex();
  /** Conversations finished (lock released) so far: what a wait for the payment to settle watches. */
  let ended = 0;
  const exclusive = <T>(talk: () => Promise<T>): Promise<T> =>
    lock.runExclusive(talk).finally(() => {
      ended += 1;
    });
  /** The latest notification that would move the payment, waiting for CodePay's confirmation. */
  let pendingClaim: OrderFact | undefined;
  /**
   * The trace context the claim's signal was handled in (tracing interceptors; empty without them):
   * its confirming query and what that commits (the merchant events) join the notification's trace.
   */
  let claimContext: OtelContext = otelContext.active();
  /** The cancel conversation in progress: a cancel arriving meanwhile gets its answer. */
  let cancelling: Promise<PaymentView> | undefined;
  const no = input.merchantOrderNo;

  async function createOrder(): Promise<void> {
    try {
      const { payUrl } = await paymentCalls.createWapOrder.executeWithOptions({ summary: `Create Wap order ${no}` }, [
        {
          merchantOrderNo: no,
          amountMinor: input.amountMinor,
          currency: input.currency,
          description: input.description,
          expiresInSeconds: input.expiresInSeconds,
          notifyUrl: input.notifyUrl,
          returnUrl: input.returnUrl,
          payMethodId: input.payMethodId,
          attach: input.attach,
          language: input.language,
          shopper: input.shopper,
        },
      ]);
      run.commit(markOrderCreated(run.state, payUrl, run.now()));
    } catch (error) {
      run.commit(markCreationFailed(run.state, failureSummary(error), run.now()));
    }
  }

  /** A query whose failure is only logged: the next poll (or the caller) asks again. */
  async function queryOrder(source: FactSource, summary: string): Promise<void> {
    try {
      run.commit(applyOrderFact(run.state, await paymentCalls.pollOrder.executeWithOptions({ summary }, [no]), source, run.now()));
    } catch (error) {
      const failure = failureSummary(error);
      run.noteError(`query failed: [${failure.code}] ${failure.message}`);
    }
  }

  /**
   * Closes the order at CodePay and asks until CodePay's answer reflects it, so the recorded state
   * is CodePay's, including a payment that slipped in before the close. A refused close is
   * followed by one query: CodePay's answer, not the refusal, says what the order is.
   */
  async function closeAtCodePay(reason: 'expiry' | 'cancel', operator?: string): Promise<GatewayRejection | undefined> {
    run.commit(markClosing(run.state, reason, run.now(), operator));
    try {
      await paymentCalls.cancelOrder.executeWithOptions({ summary: `Close order ${no} (${reason})` }, [no]);
    } catch (error) {
      const refused = failureSummary(error);
      run.noteError(`close refused: [${refused.code}] ${refused.message}`);
      await queryOrder('reconcile', `Query order after the refused close (${reason})`);
      return refused;
    }
    await settleClose(reason);
    return undefined;
  }

  /** CodePay accepted the close: ask (through outages) until its answer is final and reflects it. */
  async function settleClose(reason: 'expiry' | 'cancel'): Promise<void> {
    for (let answers = 1; ; answers += 1) {
      let answer: OrderFact | undefined;
      try {
        answer = await paymentCalls.confirmOrder.executeWithOptions({ summary: `Query order after close (${reason}), #${answers}` }, [no]);
        run.commit(applyQueriedFact(run.state, answer, 'reconcile', run.now()));
      } catch (error) {
        const failure = failureSummary(error);
        run.noteError(`query after close rejected: [${failure.code}] ${failure.message}`);
      }
      if (run.state.status === 'NEEDS_REVIEW') return;
      const progress = closeProgress(answer, answers);
      if (progress.kind === 'settled') return;
      if (progress.kind === 'stuck') {
        run.commit(flagForReview(run.state, progress.reason, { transStatus: answer?.transStatus ?? null, answers: CLOSE_ANSWERS_BEFORE_REVIEW, previousStatus: run.state.status }, run.now()));
        return;
      }
      await sleep(progress.afterMs, { summary: 'Wait for CodePay to apply the close' });
    }
  }

  /** A notification claimed a change: CodePay's query (retried through outages) decides. */
  async function confirmClaim(): Promise<void> {
    const claim = pendingClaim;
    pendingClaim = undefined;
    // Another fact may have settled it meanwhile (a duplicate notification, a poll): no query then.
    if (!claim || !claimWouldMove(run.state, claim, run.now())) return;
    await otelContext.with(claimContext, async () => {
      try {
        const answer = await paymentCalls.confirmOrder.executeWithOptions({ summary: `Confirm notification (trans_status ${claim.transStatus}) with Query order` }, [no]);
        run.commit(confirmPaymentClaim(run.state, claim, answer, run.now()));
      } catch (error) {
        const failure = failureSummary(error);
        run.noteError(`confirming query rejected: [${failure.code}] ${failure.message}`);
      }
    });
  }

  /** At the deadline: query first (paid → PAID), else close and reconcile. */
  async function expire(): Promise<void> {
    if (run.state.status !== 'AWAITING_PAYMENT' || run.state.closing) return;
    await queryOrder('reconcile', 'Query order at the deadline');
    if (run.state.status === 'AWAITING_PAYMENT') await closeAtCodePay('expiry');
  }

  async function cancel(operator?: string): Promise<PaymentView> {
    const cancelled = () => run.state.status === 'CANCELLED';
    // Decided again now: the conversation before this one may have changed the payment.
    if (cancelled()) return paymentView(run.state);
    const rejection = cancelRejection(run.state);
    if (rejection) fail(rejection);
    const refused = await closeAtCodePay('cancel', operator);
    // CodePay may refuse because it closed the order already: the query after the refusal tells.
    if (refused && !cancelled()) fail({ type: PaymentErrorType.GATEWAY_REJECTED, message: `CodePay refused to cancel: [${refused.code}] ${refused.message}` });
    return paymentView(run.state);
  }

  /** CodePay's record, as of now, is what the operator's decision is applied to. */
  async function review(request: ReviewRequest): Promise<PaymentView> {
    let fact: OrderFact;
    try {
      fact = await paymentCalls.pollOrder.executeWithOptions({ summary: `Query order for the review by ${request.operator}` }, [no]);
    } catch (error) {
      const failure = failureSummary(error);
      run.noteError(`review query failed: [${failure.code}] ${failure.message}`);
      return fail({ type: PaymentErrorType.CODEPAY_UNAVAILABLE, message: `CodePay could not be queried: [${failure.code}] ${failure.message}` });
    }
    const result = decideReview(run.state, request, fact, run.now());
    run.commit(result.outcome);
    if (result.kind === 'refused') fail(result.rejection);
    return paymentView(run.state);
  }

  /** Admits and reserves the refund, then starts its child, which talks to CodePay on its own. */
  async function refund(request: RefundRequest): Promise<RefundView> {
    // The check at receipt ran before earlier conversations: decide again, now.
    const admission = admitRefund(run.state, request);
    if (admission.kind === 'rejected') return fail(admission);
    if (admission.kind === 'existing') return admission.refund;
    run.commit(reserveRefund(run.state, request, run.now()));
    const { state } = run;
    try {
      const child = await startChild(refundWorkflow, {
        workflowId: refundWorkflowId(request.refundNo),
        // Refund numbers are unique across payments: a closed refund's number is not started again.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [{ refundNo: request.refundNo, merchantOrderNo: no, amountMinor: request.amountMinor, currency: state.currency, reason: request.reason, notifyUrl: input.notifyUrl, pollScheduleMs: input.pollScheduleMs, paymentTransNo: state.codepayTransNo }],
        // Money already moving at CodePay must finish even if this payment is terminated.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: refundStaticSummary({ ...request, merchantOrderNo: no, currency: state.currency }),
      });
      void child.result().then(
        (result) => {
          run.commit(settleRefund(run.state, result, run.now()));
          // CodePay's answer about the refund disagreed with what we asked for: an operator decides.
          if (result.review) run.commit(flagForReview(run.state, result.review.reason, result.review.evidence, run.now()));
          else if (refundFailureNeedsOrderQuery(result)) void exclusive(() => queryOrder('reconcile', `Query order after refund ${request.refundNo} failed`));
        },
        (error: unknown) => {
          // The child itself failed (terminated?): CodePay may or may not have refunded, so an operator decides.
          const summary = failureSummary(error);
          run.commit(settleRefund(run.state, { refundNo: request.refundNo, status: 'FAILED', error: summary }, run.now()));
          run.commit(flagForReview(run.state, `refund ${request.refundNo} ended without a verdict`, { refundNo: request.refundNo, ...summary }, run.now()));
        },
      );
    } catch {
      // The refund number is taken by another refund: release the reservation (and its slot).
      run.commit(releaseRefund(run.state, request.refundNo, 'the number is used by another refund', run.now()));
      return fail({ type: PaymentErrorType.REFUND_NO_CONFLICT, message: `refund number ${request.refundNo} is already in use` });
    }
    return run.state.refunds.find((r) => r.refundNo === request.refundNo)!;
  }

  /**
   * A refund notification under a number this payment never issued (made in CodePay's portal):
   * CodePay's refund query, retried through outages, decides whether it is adopted.
   */
  async function adoptRefund(claim: RefundFact): Promise<void> {
    if (!isForeignRefundClaim(run.state, claim)) return;
    let fact: RefundFact | undefined;
    try {
      fact = await paymentCalls.confirmRefund.executeWithOptions({ summary: `Confirm refund ${claim.refundNo} made at CodePay` }, [claim.refundNo]);
    } catch (error) {
      const failure = failureSummary(error);
      if (gatewayRejection(error)?.code !== REFUND_NOT_FOUND) return run.noteError(`refund confirmation rejected: [${failure.code}] ${failure.message}`);
    }
    run.commit(adoptForeignRefund(run.state, claim, fact, run.now()));
  }

  return {
    /** A conversation is running (or queued). */
    busy: () => lock.isLocked(),
    conversationsEnded: () => ended,
    claimPending: () => pendingClaim !== undefined,
    claim: (fact: OrderFact) => {
      pendingClaim = fact;
      claimContext = otelContext.active();
    },
    create: () => exclusive(createOrder),
    poll: (n: number) => exclusive(async () => (run.state.status === 'AWAITING_PAYMENT' ? queryOrder('poll', `Query order (poll #${n})`) : undefined)),
    expire: () => exclusive(expire),
    confirmClaim: () => exclusive(confirmClaim),
    /** A cancel joining one in progress gets its answer; the log names the first one's operator. */
    cancel: (operator?: string) =>
      (cancelling ??= condition(() => run.state.status !== 'CREATING')
        .then(() => exclusive(() => cancel(operator)))
        .finally(() => {
          cancelling = undefined;
        })),
    review: (request: ReviewRequest) => exclusive(() => review(request)),
    adoptRefund: (claim: RefundFact) => exclusive(() => adoptRefund(claim)),
    /** A reconciliation's finding, applied between conversations, never in the middle of one. */
    reconcile: (finding: ReconciliationFinding) => exclusive(async () => run.commit(applyReconciliationFinding(run.state, finding, run.now()))),
    refund: (request: RefundRequest) => exclusive(() => refund(request)),
  };
}

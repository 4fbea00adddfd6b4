/**
 * One CodePay payment from order creation to its final state (docs/design.md §2). Every rule lives in
 * the pure modules (payment-state, refund-admission); this file wires them to Temporal: message
 * handlers (registered before anything awaits, so an Update-with-Start finds them), the polling
 * and expiry loop, the refund children, the refund window and continue-as-new.
 *
 * Any future behaviour change to this file must go behind `patched('<id>')` so that running
 * payments replay; the replay tests in test/workflows fail when that is forgotten.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  setCurrentDetails,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { OrderFact } from '../codepay/model';
import { CLOSE_ANSWERS_BEFORE_REVIEW, CONFIRM_CLAIMS_PATCH, applyQueriedFact, claimWouldMove, closeProgress, confirmPaymentClaim, receivePaymentClaim } from './claims';
import { codePayCalls, failureSummary, gatewayRejection } from './codepay-calls';
import { historyVersion } from './history-version';
import { MERCHANT_WEBHOOKS_PATCH, merchantEventOutbox } from './merchant-event-outbox';
import {
  PaymentErrorType,
  START_TOKEN_MEMO,
  cancelPaymentUpdate,
  codepayNotificationSignal,
  getPaymentQuery,
  refundWorkflowId,
  requestRefundUpdate,
  reviewPaymentUpdate,
  startPaymentUpdate,
  type PaymentInput,
  type PaymentView,
  type RefundView,
  type ReviewRequest,
  type StartPaymentResult,
} from './messages';
import {
  CLOSED_STATUSES,
  applyOrderFact,
  flagForReview,
  initialPaymentState,
  markClosing,
  markCreationFailed,
  markOrderCreated,
  paymentView,
  pendingRefundMinor,
  record,
  refundWindowWatch,
  reserveRefund,
  settleRefund,
  type FactSource,
  type Outcome,
  type PaymentState,
} from './payment-state';
import { paymentCurrentDetails, refundStaticSummary } from './payment-summary';
import { payloadMismatch } from './payment-request-match';
import { pollDelayMs } from './poll-schedule';
import { decideReview, reviewRejection } from './operator-review';
import { admitRefund, cancelRejection, releaseRefund, type Rejection } from './refund-admission';
import { refundWorkflow } from './refund-workflow';
import { AmountMinorKey, CodePayTransNoKey, CurrencyKey, MerchantOrderNoKey, PaymentCreatedAtKey, PaymentStatusKey, publishedAtStart, type PublishedPayment } from './search-attributes';

/** Far below Temporal's 10,240-event warning; the worst case of one payment stays under 1,000 (tested). */
export const CONTINUE_AS_NEW_AFTER_EVENTS = 4_000;
/** After closing an order, how long to wait between the queries that confirm CodePay's final status. */
const RECONCILE_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 16_000];

/** What a continue-as-new hands to the next run. */
export interface CarriedPayment {
  state: PaymentState;
  polls: number;
  /** Merchant webhook events emitted so far. */
  merchantEventSeq?: number;
}

export type PaymentWorkflowInput = PaymentInput & {
  carried?: CarriedPayment;
  /** Lower than the default only in tests, to exercise continue-as-new. */
  continueAsNewAfterEvents?: number;
};

export async function paymentWorkflow(input: PaymentWorkflowInput): Promise<PaymentView> {
  const version = historyVersion();
  const { persistentCalls, confirmingCalls, pollCalls } = codePayCalls(version.lean);
  const now = () => new Date().toISOString();
  const nowMs = () => new Date().getTime();
  let state: PaymentState = input.carried?.state ?? initialPaymentState(input, now());
  let polls = input.carried?.polls ?? 0;
  /** True while an expiry or a cancel talks to CodePay; the poll loop and other closes wait. */
  let closeInProgress = false;
  const confirmClaims = version.has(CONFIRM_CLAIMS_PATCH);
  /** The latest notification that would move the payment, waiting for CodePay's confirmation. */
  let pendingClaim: OrderFact | undefined;
  let published: PublishedPayment = version.lean ? publishedAtStart(workflowInfo().typedSearchAttributes) : {};
  const merchantEvents = merchantEventOutbox(() => version.has(MERCHANT_WEBHOOKS_PATCH), input.carried?.merchantEventSeq);

  const publish = () => {
    const current = { status: state.status, transNo: state.codepayTransNo };
    const updates: SearchAttributeUpdatePair[] = [];
    if (published.status !== current.status) updates.push({ key: PaymentStatusKey, value: current.status });
    if (current.transNo !== undefined && published.transNo !== current.transNo) updates.push({ key: CodePayTransNoKey, value: current.transNo });
    if (published.amount === undefined) {
      updates.push({ key: MerchantOrderNoKey, value: state.merchantOrderNo }, { key: AmountMinorKey, value: state.amountMinor }, { key: CurrencyKey, value: state.currency });
      if (version.has(MERCHANT_WEBHOOKS_PATCH)) updates.push({ key: PaymentCreatedAtKey, value: new Date(state.createdAt) });
    }
    if (updates.length > 0) upsertSearchAttributes(updates);
    published = { ...current, amount: state.amountMinor };
    setCurrentDetails(paymentCurrentDetails(state));
  };
  const commit = ({ state: next, events }: Outcome) => {
    const before = state;
    state = next;
    for (const event of events) if (event.type === 'transition' || event.type === 'review') log.info(event.message, { merchantOrderNo: state.merchantOrderNo });
    publish();
    merchantEvents.add(before, state, now());
  };
  /** No handler running and every merchant event handed over. */
  const quiet = () => allHandlersFinished() && merchantEvents.idle();
  const applyFact = (fact: OrderFact, source: FactSource) => commit(applyOrderFact(state, fact, source, now()));
  const fail = (rejection: Rejection): never => {
    throw ApplicationFailure.create({ message: rejection.message, type: rejection.type, nonRetryable: true });
  };

  // --- message handlers, registered before the first await ---------------------------------

  setHandler(getPaymentQuery, () => paymentView(state));

  setHandler(codepayNotificationSignal, (notification) => {
    if (notification.kind === 'payment' && !confirmClaims) return applyFact(notification.fact, 'notification');
    if (notification.kind === 'payment') {
      const receipt = receivePaymentClaim(state, notification.fact, now());
      commit(receipt);
      if (receipt.confirm) pendingClaim = notification.fact;
      return;
    }
    // Refund notifications belong to the refund child; the bridge routes them there.
    commit(record(state, [{ at: now(), type: 'ignored', message: `refund notification for ${notification.fact.refundNo} sent to the payment`, data: { refundNo: notification.fact.refundNo } }]));
  });

  setHandler(
    startPaymentUpdate,
    async (): Promise<StartPaymentResult> => {
      await condition(() => state.status !== 'CREATING');
      const startedBy = workflowInfo().memo?.[START_TOKEN_MEMO];
      return { merchantOrderNo: state.merchantOrderNo, status: state.status, cashierUrl: state.cashierUrl, expiresAt: state.expiresAt, error: state.error, ...(typeof startedBy === 'string' ? { startedBy } : {}) };
    },
    {
      validator: (request) => {
        const mismatch = payloadMismatch(input, request);
        if (mismatch) fail(mismatch);
      },
    },
  );

  setHandler(
    cancelPaymentUpdate,
    async (): Promise<PaymentView> => {
      await condition(() => !closeInProgress && state.status !== 'CREATING');
      // Already cancelled (a retry, or a concurrent cancel that finished first): same answer.
      const cancelled = () => state.status === 'CANCELLED';
      if (cancelled()) return paymentView(state);
      const rejection = cancelRejection(state);
      if (rejection) fail(rejection);
      const refused = await closeAtCodePay('cancel');
      if (refused && !cancelled()) fail({ type: PaymentErrorType.GATEWAY_REJECTED, message: `CodePay refused to cancel: [${refused.code}] ${refused.message}` });
      return paymentView(state);
    },
    {
      validator: () => {
        const rejection = closeInProgress ? undefined : cancelRejection(state);
        if (rejection) fail(rejection);
      },
    },
  );

  setHandler(
    requestRefundUpdate,
    async (request): Promise<RefundView> => {
      // Validators of queued updates ran before earlier handlers reserved: decide again, now.
      const admission = admitRefund(state, request);
      if (admission.kind === 'rejected') return fail(admission);
      if (admission.kind === 'existing') return admission.refund;
      commit(reserveRefund(state, request, now()));
      // Refund numbers are unique across payments: a closed refund's number is not started again.
      const uniqueNumbers = version.has('refund-no-unique');
      try {
        const child = await startChild(refundWorkflow, {
          workflowId: refundWorkflowId(request.refundNo),
          ...(uniqueNumbers ? { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const } : {}),
          args: [{ refundNo: request.refundNo, merchantOrderNo: state.merchantOrderNo, amountMinor: request.amountMinor, currency: state.currency, reason: request.reason, notifyUrl: input.notifyUrl, pollScheduleMs: input.pollScheduleMs, paymentTransNo: state.codepayTransNo }],
          // Money already moving at CodePay must finish even if this payment is terminated.
          parentClosePolicy: ParentClosePolicy.ABANDON,
          staticSummary: refundStaticSummary({ ...request, merchantOrderNo: state.merchantOrderNo, currency: state.currency }),
        });
        void child.result().then(
          (result) => {
            commit(settleRefund(state, result, now()));
            // CodePay's answer about the refund disagreed with what we asked for: an operator decides.
            if (result.review) commit(flagForReview(state, result.review.reason, result.review.evidence, now()));
          },
          (error: unknown) => {
            // The child itself failed (terminated?): CodePay may or may not have refunded, so an operator decides.
            const summary = failureSummary(error);
            commit(settleRefund(state, { refundNo: request.refundNo, status: 'FAILED', error: summary }, now()));
            commit(flagForReview(state, `refund ${request.refundNo} ended without a verdict`, { refundNo: request.refundNo, ...summary }, now()));
          },
        );
      } catch (error) {
        // The refund number is taken by another refund: release the reservation (and its slot).
        if (uniqueNumbers) commit(releaseRefund(state, request.refundNo, 'the number is used by another refund', now()));
        else commit(settleRefund(state, { refundNo: request.refundNo, status: 'FAILED', error: failureSummary(error) }, now()));
        return fail({ type: PaymentErrorType.REFUND_NO_CONFLICT, message: `refund number ${request.refundNo} is already in use` });
      }
      return state.refunds.find((r) => r.refundNo === request.refundNo)!;
    },
    {
      validator: (request) => {
        const admission = admitRefund(state, request);
        if (admission.kind === 'rejected') fail(admission);
      },
    },
  );

  setHandler(
    reviewPaymentUpdate,
    async (request): Promise<PaymentView> => {
      await condition(() => !closeInProgress);
      // CodePay's record, as of now, is what the operator's decision is applied to.
      const fact = await queryForReview(request.operator);
      const result = decideReview(state, request, fact, now());
      commit(result.outcome);
      if (result.kind === 'refused') fail(result.rejection);
      return paymentView(state);
    },
    {
      validator: (_request: ReviewRequest) => {
        const rejection = reviewRejection(state);
        if (rejection) fail(rejection);
      },
    },
  );

  // --- CodePay conversations -----------------------------------------------------------------

  async function createOrder(): Promise<void> {
    try {
      const { payUrl } = await persistentCalls.createWapOrder.executeWithOptions({ summary: `Create Wap order ${input.merchantOrderNo}` }, [
        {
          merchantOrderNo: input.merchantOrderNo,
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
      commit(markOrderCreated(state, payUrl, now()));
    } catch (error) {
      commit(markCreationFailed(state, failureSummary(error), now()));
    }
  }

  async function queryOrder(source: FactSource, summary: string): Promise<void> {
    try {
      applyFact(await pollCalls.queryOrder.executeWithOptions({ summary }, [state.merchantOrderNo]), source);
    } catch (error) {
      const failure = failureSummary(error);
      commit(record(state, [{ at: now(), type: 'error', message: `query failed: [${failure.code}] ${failure.message}` }]));
    }
  }

  async function queryForReview(operator: string): Promise<OrderFact> {
    try {
      return await pollCalls.queryOrder.executeWithOptions({ summary: `Query order for the review by ${operator}` }, [state.merchantOrderNo]);
    } catch (error) {
      const failure = failureSummary(error);
      commit(record(state, [{ at: now(), type: 'error', message: `review query failed: [${failure.code}] ${failure.message}` }]));
      return fail({ type: PaymentErrorType.CODEPAY_UNAVAILABLE, message: `CodePay could not be queried: [${failure.code}] ${failure.message}` });
    }
  }

  /**
   * Closes the order at CodePay and queries until CodePay's answer is final, so the recorded
   * state is what CodePay says, including a payment that slipped in before the close.
   * Returns CodePay's rejection of the close, if any.
   */
  async function closeAtCodePay(reason: 'expiry' | 'cancel') {
    closeInProgress = true;
    try {
      const before = state.status;
      commit(markClosing(state, reason, now()));
      let refused: ReturnType<typeof gatewayRejection>;
      try {
        await persistentCalls.cancelOrder.executeWithOptions({ summary: `Close order ${state.merchantOrderNo} (${reason})` }, [state.merchantOrderNo]);
      } catch (error) {
        refused = failureSummary(error);
        commit(record(state, [{ at: now(), type: 'error', message: `close refused: [${refused.code}] ${refused.message}` }]));
      }
      if (confirmClaims && !refused) {
        await settleClose(reason);
        return refused;
      }
      for (const delay of RECONCILE_DELAYS_MS) {
        await queryOrder('reconcile', `Query order after close (${reason})`);
        if (state.status !== before || refused) break;
        await sleep(delay, { summary: 'Wait for CodePay to settle the close' });
      }
      return refused;
    } finally {
      closeInProgress = false;
    }
  }

  /**
   * CodePay accepted the close: ask (each query retried through outages) until its own answer is
   * final and reflects the close. A notification meanwhile is a claim and does not end this.
   */
  async function settleClose(reason: 'expiry' | 'cancel'): Promise<void> {
    for (let answers = 1; ; answers += 1) {
      let answer: OrderFact | undefined;
      try {
        answer = await confirmingCalls.queryOrder.executeWithOptions({ summary: `Query order after close (${reason}), #${answers}` }, [state.merchantOrderNo]);
        commit(applyQueriedFact(state, answer, 'reconcile', now()));
      } catch (error) {
        const failure = failureSummary(error);
        commit(record(state, [{ at: now(), type: 'error', message: `query after close rejected: [${failure.code}] ${failure.message}` }]));
      }
      if (state.status === 'NEEDS_REVIEW') return;
      const progress = closeProgress(answer, answers);
      if (progress.kind === 'settled') return;
      if (progress.kind === 'stuck') {
        commit(flagForReview(state, progress.reason, { transStatus: answer?.transStatus ?? null, answers: CLOSE_ANSWERS_BEFORE_REVIEW, previousStatus: state.status }, now()));
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
    if (!claim || !claimWouldMove(state, claim, now())) return;
    try {
      const answer = await confirmingCalls.queryOrder.executeWithOptions({ summary: `Confirm notification (trans_status ${claim.transStatus}) with Query order` }, [state.merchantOrderNo]);
      commit(confirmPaymentClaim(state, claim, answer, now()));
    } catch (error) {
      const failure = failureSummary(error);
      commit(record(state, [{ at: now(), type: 'error', message: `confirming query rejected: [${failure.code}] ${failure.message}` }]));
    }
  }

  /** At the deadline: query first (paid → PAID), else close and reconcile. */
  async function expire(): Promise<void> {
    await queryOrder('reconcile', 'Query order at the deadline');
    if (state.status === 'AWAITING_PAYMENT') await closeAtCodePay('expiry');
  }

  // --- lifecycle -----------------------------------------------------------------------------

  const historyLimit = input.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_AFTER_EVENTS;
  const historyIsLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;

  /**
   * Carries the state into a fresh run. Only at a quiet moment: no handler running (a running
   * update would be lost) and no refund child pending (its result is delivered to this run only).
   */
  async function continueAsNewIfLong(): Promise<void> {
    if (!historyIsLong() || closeInProgress || pendingClaim || pendingRefundMinor(state) > 0) return;
    await condition(quiet);
    if (closeInProgress || pendingClaim || pendingRefundMinor(state) > 0) return;
    await continueAsNew<typeof paymentWorkflow>({ ...input, carried: { state, polls, merchantEventSeq: merchantEvents.seq } });
  }

  publish();
  if (state.status === 'CREATING') await createOrder();

  while (state.status === 'AWAITING_PAYMENT') {
    await continueAsNewIfLong();
    const untilExpiry = Date.parse(state.expiresAt) - nowMs();
    if (untilExpiry <= 0 && !closeInProgress && !state.closing) {
      await expire();
      continue;
    }
    const delay = Math.max(1, Math.min(pollDelayMs(input.pollScheduleMs, polls), untilExpiry > 0 ? untilExpiry : Infinity));
    const woke = await condition(() => state.status !== 'AWAITING_PAYMENT' || closeInProgress || pendingClaim !== undefined, delay, { summary: `Wait for a notification, then poll #${polls + 1}` });
    if (woke) {
      await condition(() => !closeInProgress);
      if (pendingClaim) await confirmClaim();
      continue;
    }
    if (nowMs() >= Date.parse(state.expiresAt) && !state.closing) continue;
    polls += 1;
    await queryOrder('poll', `Query order (poll #${polls})`);
  }

  // Paid (or under review): stay open through the refund window, then complete once nothing is in flight.
  // An operator's review decision may pay the payment now: the window then runs from that moment.
  const windowEnds = () => Date.parse(state.paidAt ?? state.updatedAt) + (input.refundWindowMs ?? 0);
  // A payment in review waits for the operator's decision (reviewPayment) rather than the window.
  const awaitsOperator = () => state.status === 'NEEDS_REVIEW' && version.has('operator-review');
  for (;;) {
    if (pendingClaim && !closeInProgress) await confirmClaim();
    const quiet = pendingRefundMinor(state) === 0 && !closeInProgress && !pendingClaim;
    if (quiet && (CLOSED_STATUSES.has(state.status) || (nowMs() >= windowEnds() && !awaitsOperator()))) break;
    await continueAsNewIfLong();
    const seen = state;
    const seenWatch = refundWindowWatch(state);
    const seenClosing = closeInProgress;
    const changed = () => (version.lean ? refundWindowWatch(state) !== seenWatch || closeInProgress !== seenClosing : state !== seen);
    const remaining = windowEnds() - nowMs();
    const wake = () => changed() || (pendingClaim !== undefined && !closeInProgress) || (historyIsLong() && pendingRefundMinor(state) === 0 && !closeInProgress);
    if (remaining > 0 && !CLOSED_STATUSES.has(state.status)) await condition(wake, remaining, { summary: 'Refund window' });
    else await condition(wake);
  }
  await condition(quiet);
  return paymentView(state);
}

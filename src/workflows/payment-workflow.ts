/**
 * One CodePay payment from order creation to its final state (docs/design.md §2), as named steps:
 * the message handlers, the create, the wait for payment, the refund window and continue-as-new.
 * Every rule lives in the pure modules (payment-state, claims, refund-admission, operator-review);
 * the conversations with CodePay, one at a time, in payment-conversations.
 */
import { allHandlersFinished, continueAsNew, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { alarm } from './alarm';
import { receivePaymentClaim } from './claims';
import {
  codepayNotificationSignal,
  getCommandOutcomeQuery,
  getMerchantEventStampsQuery,
  getPaymentQuery,
  paymentCommandSignal,
  reconciliationExceptionSignal,
  webhookRedeliveredSignal,
  type PaymentInput,
  type PaymentView,
} from './messages';
import { paymentCommandIntake, type PaymentCommandIntake } from './payment-command-intake';
import { paymentConversations, type PaymentConversations } from './payment-conversations';
import { startPaymentRun, type CarriedPayment, type PaymentRun } from './payment-run';
import { mayComplete, noteRedelivery, paymentView, pendingRefundMinor, record, refundWindowDeadlineMs, refundWindowWatch } from './payment-state';
import { awaitingStep } from './poll-schedule';
import { isForeignRefundClaim } from './refund-adoption';

export type { CarriedPayment } from './payment-run';

/** How long the run waits, on a recorded timer, before it checks that its last step may go (`quiesce`). */
export const QUIESCE_CHECK_MS = 1_000;

/** Far below Temporal's 10,240-event warning; the worst case of one payment stays under 1,000 (tested). */
export const CONTINUE_AS_NEW_AFTER_EVENTS = 4_000;

export type PaymentWorkflowInput = PaymentInput & {
  carried?: CarriedPayment;
  /** Lower than the default only in tests, to exercise continue-as-new. */
  continueAsNewAfterEvents?: number;
};

export async function paymentWorkflow(input: PaymentWorkflowInput): Promise<PaymentView> {
  const run = startPaymentRun(input, input.carried);
  const talk = paymentConversations(run, input);
  const commands = paymentCommandIntake(run, talk, input.carried?.commandOutcomes);
  registerHandlers(run, talk, commands);
  let polls = input.carried?.polls ?? 0;

  const historyLimit = input.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_AFTER_EVENTS;
  const historyIsLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;
  /** Nothing in flight that the next run could not take over: no conversation, claim or refund child. */
  const settled = () => !talk.busy() && !talk.claimPending() && pendingRefundMinor(run.state) === 0;

  /**
   * Carries the state into a fresh run, at a quiet moment only: no handler running (a running
   * update would be lost), no refund child pending (its result reaches this run only), every
   * merchant event handed over.
   */
  async function continueAsNewIfLong(): Promise<void> {
    if (!historyIsLong() || !settled()) return;
    await quiesce();
    if (!settled()) return;
    await continueAsNew<typeof paymentWorkflow>({ ...input, carried: { state: run.state, polls, merchantEvents: [...run.merchantEvents.stamps], commandOutcomes: commands.outcomes() } });
  }

  /**
   * Until no handler runs and every merchant event is handed over, checked each time a short
   * recorded timer fires: the run's last command (completion, continue-as-new) then follows a timer
   * in the history, never the hand-over's local-activity result, which the SDK applies in a later
   * task when a query splits that task and at once on replay (docs/design.md §2.9, chaos seed 11).
   */
  async function quiesce(): Promise<void> {
    do await sleep(QUIESCE_CHECK_MS, { summary: 'Merchant events handed over' });
    while (!(allHandlersFinished() && run.merchantEvents.idle()));
  }

  /** Both waits' deadlines (next poll, expiry, end of the refund window) on one timer at a time. */
  const deadline = alarm(run.nowMs);
  /** When the interval before the next poll began (workflow clock). */
  let pollsSinceMs = run.nowMs();

  /** Until paid or closed: notifications (confirmed by a query), polls on the schedule, the expiry at the deadline. */
  async function waitForPayment(): Promise<void> {
    const nextStep = () => awaitingStep(run.state, polls, run.nowMs(), input.pollScheduleMs, pollsSinceMs);
    while (run.state.status === 'AWAITING_PAYMENT') {
      await continueAsNewIfLong();
      const step = nextStep();
      if (step.kind === 'expire') {
        await talk.expire();
        continue;
      }
      const woke = await deadline.wait(step.untilMs, () => run.state.status !== 'AWAITING_PAYMENT' || talk.claimPending(), `Wait for a notification, then poll #${polls + 1}`);
      if (woke) {
        await talk.confirmClaim();
        continue;
      }
      // The wait ended at the deadline: expire rather than poll.
      if (nextStep().kind === 'expire') continue;
      polls += 1;
      await talk.poll(polls);
      pollsSinceMs = run.nowMs();
    }
  }

  /**
   * Paid (or under review): open for refunds until the window ends (from the payment, or from an
   * operator's decision that paid it), then until nothing is in flight. A payment in review waits
   * for the operator's decision. The wait wakes when a conversation ends, not when one starts:
   * only an end can settle the payment.
   */
  async function refundWindow(): Promise<void> {
    for (;;) {
      if (talk.claimPending()) await talk.confirmClaim();
      if (settled() && mayComplete(run.state, run.nowMs(), input.refundWindowMs)) return;
      await continueAsNewIfLong();
      const seenWatch = refundWindowWatch(run.state);
      const seenEnded = talk.conversationsEnded();
      const wake = () =>
        refundWindowWatch(run.state) !== seenWatch || talk.conversationsEnded() !== seenEnded || (talk.claimPending() && !talk.busy()) || (historyIsLong() && settled());
      await deadline.wait(refundWindowDeadlineMs(run.state, run.nowMs(), input.refundWindowMs), wake, 'Refund window');
    }
  }

  if (run.state.status === 'CREATING') await talk.create();
  await waitForPayment();
  await refundWindow();
  await quiesce();
  return paymentView(run.state);
}

/** Registered before the first await, so signals sent with or right after the start find them. */
function registerHandlers(run: PaymentRun, talk: PaymentConversations, commands: PaymentCommandIntake): void {
  setHandler(getPaymentQuery, () => paymentView(run.state));
  setHandler(getMerchantEventStampsQuery, () => [...run.merchantEvents.stamps]);
  setHandler(getCommandOutcomeQuery, (commandId) => commands.outcome(commandId));
  setHandler(paymentCommandSignal, (command) => commands.take(command));

  setHandler(codepayNotificationSignal, (notification) => {
    if (notification.kind === 'payment') {
      const receipt = receivePaymentClaim(run.state, notification.fact, run.now());
      run.commit(receipt);
      if (receipt.confirm) talk.claim(notification.fact);
      return;
    }
    // Our refunds' notifications go to their children; the bridge sends here only numbers it never saw.
    const { refundNo } = notification.fact;
    if (isForeignRefundClaim(run.state, notification.fact)) return talk.adoptRefund(notification.fact);
    run.commit(record(run.state, [{ at: run.now(), type: 'ignored', message: `refund notification for ${refundNo} sent to the payment`, data: { refundNo } }]));
  });
  setHandler(reconciliationExceptionSignal, (finding) => talk.reconcile(finding));
  setHandler(webhookRedeliveredSignal, (redelivery) => run.commit(noteRedelivery(run.state, redelivery, run.now())));
}

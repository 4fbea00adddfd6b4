/**
 * One refund (child of its payment, id `refund-<refundNo>`): submit it to CodePay, then wait for
 * the refund notification or poll Query refund until CodePay gives a verdict. Returns the final
 * RefundView (with review evidence when CodePay's answer disagreed); the parent applies it.
 */
import { condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RefundFact } from '../codepay/model';
import { confirmingCalls, gatewayRejection, persistentCalls, pollCalls } from './codepay-calls';
import { codepayNotificationSignal, getRefundQuery, type RefundView } from './messages';
import { pollDelayMs } from './poll-schedule';
import { applyCheckedRefundFact, refundClaimWouldSettle, rejectedRefund, type RefundInput, type RefundResult } from './refund-state';

export type { RefundInput } from './refund-state';

/** Polling a stuck refund for days must not grow one history without bound. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

export interface RefundWorkflowInput extends RefundInput {
  /** Set by continue-as-new: what the previous run knew. */
  carried?: { view: RefundView; polls: number };
}

export async function refundWorkflow(input: RefundWorkflowInput): Promise<RefundResult> {
  const now = () => new Date().toISOString();
  let view: RefundResult = input.carried?.view ?? {
    refundNo: input.refundNo,
    amountMinor: input.amountMinor,
    status: 'PENDING',
    reason: input.reason,
    requestedAt: now(),
  };
  let polls = input.carried?.polls ?? 0;
  /** A notification that would settle the refund, waiting for CodePay's confirmation. */
  let claimed = false;
  /** CodePay's answers are checked against the refund we asked for before they apply. */
  const apply = (fact: RefundFact, source: string) => {
    view = applyCheckedRefundFact(view, input, fact, source, now());
  };

  setHandler(getRefundQuery, () => view);
  setHandler(codepayNotificationSignal, (notification) => {
    // A refund notification is a claim: it only wakes the child to confirm it with Query refund.
    if (notification.kind === 'refund' && refundClaimWouldSettle(view, notification.fact, now())) claimed = true;
  });

  /** Query refund; a rejection (CodePay does not know the refund) is a verdict, a transport failure is not. */
  async function queryRefund(calls: typeof pollCalls, summary: string): Promise<void> {
    try {
      apply(await calls.queryRefund.executeWithOptions({ summary }, [input.refundNo]), 'query');
    } catch (error) {
      const rejection = gatewayRejection(error);
      if (rejection && view.status === 'PENDING') view = rejectedRefund(view, rejection, now());
    }
  }

  if (!input.carried) {
    try {
      apply(
        await persistentCalls.submitRefund.executeWithOptions({ summary: `Submit refund ${input.refundNo}` }, [
          {
            refundNo: input.refundNo,
            merchantOrderNo: input.merchantOrderNo,
            amountMinor: input.amountMinor,
            currency: input.currency,
            reason: input.reason,
            notifyUrl: input.notifyUrl,
          },
        ]),
        'submit',
      );
    } catch (error) {
      // A rejection is CodePay's verdict. Anything else leaves the outcome unknown: poll to learn it.
      const rejection = gatewayRejection(error);
      if (rejection) view = rejectedRefund(view, rejection, now());
    }
  }

  while (view.status === 'PENDING') {
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > CONTINUE_AS_NEW_AFTER_EVENTS) {
      return continueAsNew<typeof refundWorkflow>({ ...input, carried: { view, polls } });
    }
    const woke = await condition(() => view.status !== 'PENDING' || claimed, pollDelayMs(input.pollScheduleMs, polls), {
      summary: `Wait for the refund notification, then poll #${polls + 1}`,
    });
    if (woke && view.status !== 'PENDING') break;
    if (woke) {
      claimed = false;
      await queryRefund(confirmingCalls, `Confirm the refund notification with Query refund ${input.refundNo}`);
      continue;
    }
    polls += 1;
    await queryRefund(pollCalls, `Query refund ${input.refundNo} (poll #${polls})`);
  }
  return view;
}

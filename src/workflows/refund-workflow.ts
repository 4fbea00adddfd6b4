/**
 * One refund (child of its payment, id `refund-<refundNo>`): submit it to CodePay, then wait for
 * the refund notification or poll Query refund until CodePay gives a verdict. Returns the final
 * RefundView; the parent applies it to its totals.
 */
import { condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RefundFact } from '../codepay/model';
import { gatewayRejection, persistentCalls, pollCalls } from './codepay-calls';
import { codepayNotificationSignal, getRefundQuery, type RefundView } from './messages';
import { pollDelayMs } from './poll-schedule';
import { applyRefundFact, rejectedRefund, type RefundInput } from './refund-state';

export type { RefundInput } from './refund-state';

/** Polling a stuck refund for days must not grow one history without bound. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

export interface RefundWorkflowInput extends RefundInput {
  /** Set by continue-as-new: what the previous run knew. */
  carried?: { view: RefundView; polls: number };
}

export async function refundWorkflow(input: RefundWorkflowInput): Promise<RefundView> {
  const now = () => new Date().toISOString();
  let view: RefundView = input.carried?.view ?? {
    refundNo: input.refundNo,
    amountMinor: input.amountMinor,
    status: 'PENDING',
    reason: input.reason,
    requestedAt: now(),
  };
  let polls = input.carried?.polls ?? 0;
  const apply = (fact: RefundFact) => {
    view = applyRefundFact(view, fact, now());
  };

  setHandler(getRefundQuery, () => view);
  setHandler(codepayNotificationSignal, (notification) => {
    if (notification.kind === 'refund') apply(notification.fact);
  });

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
    const settled = await condition(() => view.status !== 'PENDING', pollDelayMs(input.pollScheduleMs, polls), {
      summary: `Wait for the refund notification, then poll #${polls + 1}`,
    });
    if (settled) break;
    polls += 1;
    try {
      apply(await pollCalls.queryRefund.executeWithOptions({ summary: `Query refund ${input.refundNo} (poll #${polls})` }, [input.refundNo]));
    } catch (error) {
      // CodePay not knowing the refund is a verdict; a transport failure is not: poll again later.
      const rejection = gatewayRejection(error);
      if (rejection) view = rejectedRefund(view, rejection, now());
    }
  }
  return view;
}

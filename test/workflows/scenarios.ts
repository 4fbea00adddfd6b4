/**
 * The main paths of a payment, driven the way the API and the webhook bridge drive them. Shared
 * by the workflow tests (which assert on the outcome) and scripts/record-histories.ts (which
 * records their histories for the replay test). Timings are short: these run on a real dev server.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { CodePayTransportError } from '../../src/codepay/errors';
import type { OrderFact, RefundFact } from '../../src/codepay/model';
import { TransStatus } from '../../src/codepay/trans-status';
import {
  codepayNotificationSignal,
  getPaymentQuery,
  paymentWorkflowId,
  refundWorkflowId,
  type PaymentView,
} from '../../src/workflows/messages';
import { awaitOrderCreated, cancelPayment, requestRefund, reviewPayment } from '../../src/api/payment-command-channel';
import { paymentWorkflow, type PaymentWorkflowInput } from '../../src/workflows/payment-workflow';
import { paymentStartSearchAttributes } from '../../src/workflows/search-attributes';
import { waitFor } from '../harness/wait-for';
import type { FakeCodePay } from './fake-codepay';

export interface ScenarioContext {
  client: Client;
  taskQueue: string;
  fake: FakeCodePay;
}

export interface ScenarioOutcome {
  /** The payment as the start's answer had it (order created, or its creation failed). */
  started: PaymentView;
  view: PaymentView;
  /** The workflows the scenario ran, for recording their histories. */
  workflowIds: string[];
  /** What the scenario's update (cancel) answered, as the API would return it. */
  updateAnswer?: PaymentView;
}

export function paymentInput(overrides: Partial<PaymentWorkflowInput> = {}): PaymentWorkflowInput {
  return {
    merchantOrderNo: `M-${randomUUID().slice(0, 13)}`,
    amountMinor: 1250,
    currency: 'USD',
    description: 'Green tea',
    expiresInSeconds: 900,
    notifyUrl: 'https://merchant.example/webhooks/codepay',
    // Long enough that polls never interfere unless a scenario asks for them.
    pollScheduleMs: [60_000],
    refundWindowMs: 0,
    ...overrides,
  };
}

/** What the API does: start the payment unless it exists, then read it back once its order is created. */
export async function startPayment(ctx: ScenarioContext, input: PaymentWorkflowInput) {
  const workflowId = paymentWorkflowId(input.merchantOrderNo);
  try {
    await ctx.client.workflow.start(paymentWorkflow, {
      workflowId,
      taskQueue: ctx.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: paymentStartSearchAttributes(input, new Date()),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const handle: WorkflowHandle<typeof paymentWorkflow> = ctx.client.workflow.getHandle(workflowId);
  return { started: await awaitOrderCreated(handle), handle };
}

export const notifyPayment = (handle: WorkflowHandle, fact: OrderFact) => handle.signal(codepayNotificationSignal, { kind: 'payment', fact });

export const viewOf = (handle: WorkflowHandle) => handle.query(getPaymentQuery);

export const notifyRefund = (ctx: ScenarioContext, fact: RefundFact) =>
  ctx.client.workflow.getHandle(refundWorkflowId(fact.refundNo)).signal(codepayNotificationSignal, { kind: 'refund', fact });

/** Query order unreachable for `attempts` calls, as CodePay answering 502/503: more than a poll's 3 attempts. */
export const QUERY_OUTAGE_ATTEMPTS = 4;
const queryOutage = () => Array.from({ length: QUERY_OUTAGE_ATTEMPTS }, () => new CodePayTransportError('CodePay order.query answered HTTP 503', 'order.query'));

/**
 * When query number `n` arrives (the first one after our close), the shopper's earlier "paid"
 * notification arrives late, and Query order then fails QUERY_OUTAGE_ATTEMPTS times in a row.
 */
function lateNotificationDuringOutage(ctx: ScenarioContext, handle: WorkflowHandle, n: number, paidFact: OrderFact): void {
  ctx.fake.onQueryOrder = async (count) => {
    if (count !== n) return;
    await notifyPayment(handle, paidFact);
    ctx.fake.queryFailures.push(...queryOutage());
  };
}

/** A payment the shopper paid (notified), as the refund and cancel tests start from. */
export async function paidPayment(ctx: ScenarioContext, overrides: Partial<PaymentWorkflowInput>) {
  const input = paymentInput(overrides);
  const { started, handle } = await startPayment(ctx, input);
  await notifyPayment(handle, ctx.fake.pay(input.merchantOrderNo));
  await waitFor(() => viewOf(handle), (v) => v.status === 'PAID');
  return { input, started, handle };
}

export const scenarios = {
  /** The shopper pays; CodePay's notification arrives (twice, as it does). */
  async paidByNotification(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const input = paymentInput();
    const { started, handle } = await startPayment(ctx, input);
    const fact = ctx.fake.pay(input.merchantOrderNo);
    await notifyPayment(handle, fact);
    await notifyPayment(handle, fact);
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  /** The notification is lost; polling finds the payment. */
  async paidByPolling(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const input = paymentInput({ pollScheduleMs: [200, 400] });
    const { started, handle } = await startPayment(ctx, input);
    ctx.fake.pay(input.merchantOrderNo);
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  async cancelUnpaid(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const { started, handle } = await startPayment(ctx, paymentInput());
    await cancelPayment(handle);
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  async cancelPaid(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const { started, handle } = await paidPayment(ctx, { refundWindowMs: 60_000 });
    await cancelPayment(handle);
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  /** A partial refund, then the rest: REFUNDED, and the payment completes. */
  async refundedInTwoParts(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const { started, handle } = await paidPayment(ctx, { refundWindowMs: 60_000 });
    const first = `RF-${randomUUID().slice(0, 12)}`;
    const second = `RF-${randomUUID().slice(0, 12)}`;
    await requestRefund(handle, { refundNo: first, amountMinor: 250, reason: 'one cup broken' });
    await waitFor(() => viewOf(handle), (v) => v.status === 'PARTIALLY_REFUNDED');
    await requestRefund(handle, { refundNo: second, amountMinor: 1000 });
    return { started, view: await handle.result(), workflowIds: [handle.workflowId, refundWorkflowId(first), refundWorkflowId(second)] };
  },

  /** CodePay declines the refund: the reservation is released, the payment stays PAID. */
  async refundDeclined(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    ctx.fake.refundOutcome = 'fail';
    const { started, handle } = await paidPayment(ctx, { refundWindowMs: 3_000 });
    const refundNo = `RF-${randomUUID().slice(0, 12)}`;
    await requestRefund(handle, { refundNo, amountMinor: 1250 });
    return { started, view: await handle.result(), workflowIds: [handle.workflowId, refundWorkflowId(refundNo)] };
  },

  /** Nobody pays: at the deadline the order is queried, closed and reconciled. */
  async expired(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const { started, handle } = await startPayment(ctx, paymentInput({ expiresInSeconds: 2, pollScheduleMs: [500] }));
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  /** The shopper pays just as we close the expired order: CodePay refunds, and we record that. */
  async paidDuringExpiryClose(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    ctx.fake.payDuringCancel = true;
    const { started, handle } = await startPayment(ctx, paymentInput({ expiresInSeconds: 2, pollScheduleMs: [500] }));
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  /**
   * Paid, then refunded in two parts, with merchant webhooks on (scripts/record-histories.ts gives
   * this one a receiver that fails each event's first attempt): the delivery workflow's retry and
   * idle wait are recorded beside the payment.
   */
  async merchantWebhookDelivery(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    return scenarios.refundedInTwoParts(ctx);
  },

  /**
   * Issue 16: the shopper paid, its notification is late; our cancel reaches CodePay, which
   * refunds the shopper (status 3). The late "paid" notification arrives during the query after
   * the close, and Query order fails 4 times before it answers.
   */
  async cancelRacingLateNotification(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const input = paymentInput();
    const { started, handle } = await startPayment(ctx, input);
    lateNotificationDuringOutage(ctx, handle, 1, ctx.fake.pay(input.merchantOrderNo));
    const updateAnswer = await cancelPayment(handle);
    return { started, updateAnswer, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  /** The same interleaving at the deadline: paid during our expiry close, notified late, queries failing. */
  async expiryCloseThroughOutage(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    ctx.fake.payDuringCancel = true;
    const input = paymentInput({ expiresInSeconds: 2 });
    const { started, handle } = await startPayment(ctx, input);
    // Query #1 is the one at the deadline (unpaid); #2 is the first after the close.
    const paidFact = { ...ctx.fake.orderFact(input.merchantOrderNo), transStatus: TransStatus.SUCCESS, paidAmountMinor: input.amountMinor };
    lateNotificationDuringOutage(ctx, handle, 2, paidFact);
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  /** A signed notification claims "paid" for an order CodePay says is unpaid; then the shopper really pays. */
  async paidClaimRefuted(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const input = paymentInput();
    const { started, handle } = await startPayment(ctx, input);
    const lie = { ...ctx.fake.orderFact(input.merchantOrderNo), transStatus: TransStatus.SUCCESS, paidAmountMinor: input.amountMinor };
    await notifyPayment(handle, lie);
    await waitFor(() => viewOf(handle), (v) => v.events.some((e) => e.type === 'ignored'));
    await notifyPayment(handle, ctx.fake.pay(input.merchantOrderNo));
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  /**
   * Refund notifications lie while CodePay is still refunding: "succeeded" with another amount,
   * currency and original order, then "failed"; CodePay then completes the refund and says so.
   */
  async refundClaimsRefuted(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    ctx.fake.refundOutcome = 'pending';
    const { started, handle } = await paidPayment(ctx, { refundWindowMs: 2_000 });
    const refundNo = `RF-${randomUUID().slice(0, 12)}`;
    await requestRefund(handle, { refundNo, amountMinor: 400 });
    await waitFor(async () => ctx.fake.count('submitRefund'), (n) => n === 1);
    const truth = ctx.fake.refundFact(refundNo);
    await notifyRefund(ctx, { ...truth, transStatus: TransStatus.SUCCESS, amountMinor: 1250, currency: 'EUR', origMerchantOrderNo: 'SOMEONE-ELSE' });
    await waitFor(async () => ctx.fake.count('queryRefund'), (n) => n === 1);
    await notifyRefund(ctx, { ...truth, transStatus: TransStatus.CLOSED });
    await waitFor(async () => ctx.fake.count('queryRefund'), (n) => n === 2);
    await notifyRefund(ctx, ctx.fake.settleRefund(refundNo, TransStatus.SUCCESS));
    return { started, view: await handle.result(), workflowIds: [handle.workflowId, refundWorkflowId(refundNo)] };
  },

  /** CodePay's own refund record names another amount than the refund we asked for: NEEDS_REVIEW. */
  async refundAmountDisagrees(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    ctx.fake.refundOutcome = 'pending';
    ctx.fake.refundAnswer = (fact) => ({ ...fact, amountMinor: (fact.amountMinor ?? 0) + 100 });
    const { started, handle } = await paidPayment(ctx, { refundWindowMs: 2_000 });
    const refundNo = `RF-${randomUUID().slice(0, 12)}`;
    await requestRefund(handle, { refundNo, amountMinor: 400 });
    await waitFor(async () => ctx.fake.count('submitRefund'), (n) => n === 1);
    await notifyRefund(ctx, ctx.fake.settleRefund(refundNo, TransStatus.SUCCESS));
    // A payment in review waits for an operator: it does not complete.
    const view = await waitFor(() => viewOf(handle), (v) => v.status === 'NEEDS_REVIEW' && v.pendingRefundMinor === 0);
    return { started, view, workflowIds: [handle.workflowId, refundWorkflowId(refundNo)] };
  },

  /** CodePay rejects the order: startPayment answers FAILED with CodePay's code. */
  async creationRejected(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    ctx.fake.rejectCreate = { code: 'E04101', message: 'Order amount is invalid' };
    const { started, handle } = await startPayment(ctx, paymentInput());
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  /**
   * A notification claims 5.00 of 12.50: NEEDS_REVIEW. Closing it as failed is refused (CodePay
   * holds money); CodePay's record shows the full amount, the operator accepts it → PAID.
   */
  async reviewAccepted(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const input = paymentInput();
    const { started, handle } = await startPayment(ctx, input);
    await notifyPayment(handle, ctx.fake.pay(input.merchantOrderNo, 500));
    await waitFor(() => viewOf(handle), (v) => v.status === 'NEEDS_REVIEW');
    const operator = 'op-0123456789ab';
    await reviewPayment(handle, { decision: 'close_as_failed', reason: 'shop cancelled', operator }).catch(() => undefined);
    ctx.fake.pay(input.merchantOrderNo);
    await reviewPayment(handle, { decision: 'accept_codepay_record', reason: 'portal shows 12.50', operator });
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  /** Payment B asks for a refund number payment A's (finished) refund holds: refused, B's slot released. */
  async refundNoTaken(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const a = await paidPayment(ctx, { refundWindowMs: 60_000 });
    const refundNo = `RF-${randomUUID().slice(0, 12)}`;
    await requestRefund(a.handle, { refundNo, amountMinor: 1250 });
    await a.handle.result();
    const { started, handle } = await paidPayment(ctx, { refundWindowMs: 2_000 });
    await requestRefund(handle, { refundNo, amountMinor: 100 }).catch(() => undefined);
    return { started, view: await handle.result(), workflowIds: [a.handle.workflowId, refundWorkflowId(refundNo), handle.workflowId] };
  },
};

export type ScenarioName = keyof typeof scenarios;

/**
 * The main paths of a payment, driven the way the API and the webhook bridge drive them. Shared
 * by the workflow tests (which assert on the outcome) and scripts/record-histories.ts (which
 * records their histories for the replay test). Timings are short: these run on a real dev server.
 */
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import type { OrderFact } from '../../src/codepay/model';
import {
  cancelPaymentUpdate,
  codepayNotificationSignal,
  getPaymentQuery,
  paymentWorkflowId,
  refundWorkflowId,
  requestRefundUpdate,
  reviewPaymentUpdate,
  startPaymentUpdate,
  type PaymentView,
  type StartPaymentResult,
} from '../../src/workflows/messages';
import { paymentWorkflow, type PaymentWorkflowInput } from '../../src/workflows/payment-workflow';
import { waitFor } from '../harness/wait-for';
import type { FakeCodePay } from './fake-codepay';

export interface ScenarioContext {
  client: Client;
  taskQueue: string;
  fake: FakeCodePay;
}

export interface ScenarioOutcome {
  started: StartPaymentResult;
  view: PaymentView;
  /** The workflows the scenario ran, for recording their histories. */
  workflowIds: string[];
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

/** What the API does: Update-with-Start, so a repeated request reaches the running payment. */
export async function startPayment(ctx: ScenarioContext, input: PaymentWorkflowInput, request = input, updateId = `start-${input.merchantOrderNo}`) {
  const startWorkflowOperation = new WithStartWorkflowOperation(paymentWorkflow, {
    workflowId: paymentWorkflowId(input.merchantOrderNo),
    taskQueue: ctx.taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const started = await ctx.client.workflow.executeUpdateWithStart(startPaymentUpdate, {
    args: [request],
    updateId,
    startWorkflowOperation,
  });
  const handle: WorkflowHandle<typeof paymentWorkflow> = await startWorkflowOperation.workflowHandle();
  return { started, handle };
}

export const notifyPayment = (handle: WorkflowHandle, fact: OrderFact) => handle.signal(codepayNotificationSignal, { kind: 'payment', fact });

export const viewOf = (handle: WorkflowHandle) => handle.query(getPaymentQuery);

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
    await handle.executeUpdate(cancelPaymentUpdate);
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  async cancelPaid(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const { started, handle } = await paidPayment(ctx, { refundWindowMs: 60_000 });
    await handle.executeUpdate(cancelPaymentUpdate);
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  /** A partial refund, then the rest: REFUNDED, and the payment completes. */
  async refundedInTwoParts(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const { started, handle } = await paidPayment(ctx, { refundWindowMs: 60_000 });
    const first = `RF-${randomUUID().slice(0, 12)}`;
    const second = `RF-${randomUUID().slice(0, 12)}`;
    await handle.executeUpdate(requestRefundUpdate, { args: [{ refundNo: first, amountMinor: 250, reason: 'one cup broken' }] });
    await waitFor(() => viewOf(handle), (v) => v.status === 'PARTIALLY_REFUNDED');
    await handle.executeUpdate(requestRefundUpdate, { args: [{ refundNo: second, amountMinor: 1000 }] });
    return { started, view: await handle.result(), workflowIds: [handle.workflowId, refundWorkflowId(first), refundWorkflowId(second)] };
  },

  /** CodePay declines the refund: the reservation is released, the payment stays PAID. */
  async refundDeclined(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    ctx.fake.refundOutcome = 'fail';
    const { started, handle } = await paidPayment(ctx, { refundWindowMs: 3_000 });
    const refundNo = `RF-${randomUUID().slice(0, 12)}`;
    await handle.executeUpdate(requestRefundUpdate, { args: [{ refundNo, amountMinor: 1250 }] });
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
   * Paid, then refunded in two parts, recorded after merchant webhooks arrived: the history carries
   * the `merchant-webhooks` patch marker and the local activity markers of the event handover.
   */
  async refundedWithMerchantEvents(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    return scenarios.refundedInTwoParts(ctx);
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
    await handle.executeUpdate(reviewPaymentUpdate, { args: [{ decision: 'close_as_failed', reason: 'shop cancelled', operator }] }).catch(() => undefined);
    ctx.fake.pay(input.merchantOrderNo);
    await handle.executeUpdate(reviewPaymentUpdate, { args: [{ decision: 'accept_codepay_record', reason: 'portal shows 12.50', operator }] });
    return { started, view: await handle.result(), workflowIds: [handle.workflowId] };
  },

  /** Payment B asks for a refund number payment A's (finished) refund holds: refused, B's slot released. */
  async refundNoTaken(ctx: ScenarioContext): Promise<ScenarioOutcome> {
    const a = await paidPayment(ctx, { refundWindowMs: 60_000 });
    const refundNo = `RF-${randomUUID().slice(0, 12)}`;
    await a.handle.executeUpdate(requestRefundUpdate, { args: [{ refundNo, amountMinor: 1250 }] });
    await a.handle.result();
    const { started, handle } = await paidPayment(ctx, { refundWindowMs: 2_000 });
    await handle.executeUpdate(requestRefundUpdate, { args: [{ refundNo, amountMinor: 100 }] }).catch(() => undefined);
    return { started, view: await handle.result(), workflowIds: [a.handle.workflowId, refundWorkflowId(refundNo), handle.workflowId] };
  },
};

export type ScenarioName = keyof typeof scenarios;

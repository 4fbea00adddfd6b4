/**
 * Run once by each worker process as it starts (worker.ts): one workflow task through the SDK's
 * activation and local-activity paths, and a paid payment's and its webhook delivery's pure steps
 * in memory, so the first real payment's workflow tasks do not pay for compiling them. It moves no
 * money and calls nothing outside the worker (its local activity hands over no events).
 */
import { proxyLocalActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhook-activities';
import { TransStatus } from '../codepay/trans-status';
import { confirmPaymentClaim, receivePaymentClaim } from './claims';
import { LOCAL_FIRST_ATTEMPT } from './local-first';
import { merchantEventsBetween } from './merchant-events';
import type { PaymentInput } from './messages';
import { paymentCurrentDetails } from './payment-summary';
import { initialPaymentState, markOrderCreated, paymentView } from './payment-state';
import { deliveryViews, emptyDeliveryState, enqueue, nextDelivery, recordAttempt } from './webhook-delivery-state';

const { emitMerchantEvents } = proxyLocalActivities<WebhookActivities>(LOCAL_FIRST_ATTEMPT);

export async function workerWarmUpWorkflow(): Promise<string> {
  const now = new Date().toISOString();
  const input: PaymentInput = { merchantOrderNo: 'warm-up', amountMinor: 1, currency: 'USD', description: 'warm-up', expiresInSeconds: 900, notifyUrl: 'http://127.0.0.1/', pollScheduleMs: [5_000], refundWindowMs: 0 };
  const created = markOrderCreated(initialPaymentState(input, now), 'http://127.0.0.1/', now).state;
  const paid = { merchantOrderNo: 'warm-up', transNo: 'warm-up', transStatus: TransStatus.SUCCESS, currency: 'USD', orderAmountMinor: 1, paidAmountMinor: 1 };
  const confirmed = confirmPaymentClaim(receivePaymentClaim(created, paid, now).state, paid, paid, now).state;
  const events = merchantEventsBetween(created, confirmed, 1, now);
  paymentCurrentDetails(confirmed);
  const delivered = recordAttempt(enqueue(emptyDeliveryState(), events), events[0]!.id, { delivered: true, status: 204 }, now, [1_000]);
  nextDelivery(delivered);
  deliveryViews(delivered);
  // An empty batch: the activity returns at once, the local-activity path is compiled.
  await emitMerchantEvents([]);
  return paymentView(confirmed).status;
}

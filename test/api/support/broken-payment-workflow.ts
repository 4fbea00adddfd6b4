/**
 * Deliberately broken `paymentWorkflow` and `merchantWebhookWorkflow` (test/api/workflow-reads.test.ts):
 * a first run arms a timer, a replay schedules an activity instead, so every replay fails with a
 * nondeterminism error, as a history written by other code does (issue 20's evidence). Never part
 * of the product.
 */
import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { getMerchantEventQuery, getPaymentQuery, getWebhookDeliveriesQuery } from '../../../src/workflows/messages';

const { neverRegistered } = proxyActivities<{ neverRegistered(): Promise<void> }>({ startToCloseTimeout: '1 minute' });
const unreachable = () => {
  throw new Error('not reached: the replay fails before the query is handled');
};

async function brokenOnReplay(): Promise<void> {
  if (workflowInfo().unsafe.isReplaying) await neverRegistered();
  else await condition(() => false, '1 day');
}

export async function paymentWorkflow(): Promise<void> {
  setHandler(getPaymentQuery, unreachable);
  await brokenOnReplay();
}

export async function merchantWebhookWorkflow(): Promise<void> {
  setHandler(getWebhookDeliveriesQuery, unreachable);
  setHandler(getMerchantEventQuery, unreachable);
  await brokenOnReplay();
}

/**
 * A deliberately broken `paymentWorkflow` (test/api/workflow-reads.test.ts): its first run arms a
 * timer, its replay schedules an activity instead, so every replay fails with a nondeterminism
 * error, as a history written by other code does (issue 20's evidence). Never part of the product.
 */
import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { getPaymentQuery } from '../../../src/workflows/messages';

const { neverRegistered } = proxyActivities<{ neverRegistered(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function paymentWorkflow(): Promise<void> {
  setHandler(getPaymentQuery, () => {
    throw new Error('not reached: the replay fails before the query is handled');
  });
  if (workflowInfo().unsafe.isReplaying) await neverRegistered();
  else await condition(() => false, '1 day');
}

import type { Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { getPaymentQuery, paymentWorkflowId, type PaymentView } from '../workflows/messages';
import { MerchantOrderNoKey, PaymentCreatedAtKey } from '../workflows/search-attributes';

/**
 * The payments of a reconciliation window as Temporal visibility finds them (docs/design.md §11),
 * and each one's record as its workflow reports it.
 */
export interface ListedPayment {
  merchantOrderNo: string;
  /** ISO-8601 UTC, the PaymentCreatedAt search attribute. */
  createdAt: string;
  /** The workflow is open: its record comes from a query; a closed one's from its result. */
  running: boolean;
}

/** temporal.api.enums.v1.WorkflowExecutionStatus (its proto package is a dev dependency). */
const WORKFLOW_EXECUTION_STATUS_RUNNING = 1;

const iso = (value: string) => `'${new Date(value).toISOString()}'`;

/** The service's own payments: those its workers serve (a namespace may hold other task queues). */
export const taskQueueClause = (taskQueue: string) => `TaskQueue = '${taskQueue.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Every payment of this service (its task queue: a namespace may hold several services) created in
 * [from, to), plus every one still open from before it; one row per payment, not per run.
 */
export function reconciliationQuery(from: string, to: string, taskQueue: string): string {
  const created = `(${PaymentCreatedAtKey.name} >= ${iso(from)} AND ${PaymentCreatedAtKey.name} < ${iso(to)})`;
  const openBefore = `(${PaymentCreatedAtKey.name} < ${iso(from)} AND ExecutionStatus = 'Running')`;
  return `WorkflowType = 'paymentWorkflow' AND ${taskQueueClause(taskQueue)} AND ExecutionStatus != 'ContinuedAsNew' AND (${created} OR ${openBefore})`;
}

export async function countPayments(client: Client, query: string): Promise<number> {
  return (await client.workflow.count(query)).count;
}

export async function listPaymentPage(client: Client, query: string, pageSize: number, pageToken?: string): Promise<{ payments: ListedPayment[]; nextPageToken?: string }> {
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query,
    pageSize,
    nextPageToken: pageToken ? Buffer.from(pageToken, 'base64') : undefined,
  });
  const payments = response.executions.flatMap((execution): ListedPayment[] => {
    const attributes = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
    const merchantOrderNo = attributes.get(MerchantOrderNoKey);
    const createdAt = attributes.get(PaymentCreatedAtKey);
    if (!merchantOrderNo || !createdAt) return [];
    return [{ merchantOrderNo, createdAt: createdAt.toISOString(), running: execution.status === WORKFLOW_EXECUTION_STATUS_RUNNING }];
  });
  const token = response.nextPageToken;
  return { payments, nextPageToken: token && token.length > 0 ? Buffer.from(token).toString('base64') : undefined };
}

/**
 * The payment's record: a running workflow answers `getPayment` from its worker's cache; a
 * completed one's result is read from its history's last event, with no replay. A run that ended
 * otherwise (terminated) is queried, which replays it.
 */
export async function fetchPayment(client: Client, payment: Pick<ListedPayment, 'merchantOrderNo' | 'running'>): Promise<PaymentView> {
  const handle = client.workflow.getHandle(paymentWorkflowId(payment.merchantOrderNo));
  if (payment.running) return handle.query(getPaymentQuery);
  try {
    return (await handle.result()) as PaymentView;
  } catch {
    return handle.query(getPaymentQuery);
  }
}

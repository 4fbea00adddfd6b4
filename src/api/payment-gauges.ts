/**
 * Payments by status, from Temporal's visibility store (docs/operations.md §9): the API process
 * counts every PAYMENT_GAUGE_SECONDS and Prometheus alerts on the gauges, so "payments need review"
 * or "payments stuck waiting" need no cron exporter. A count per status per refresh, plus a
 * listing per non-empty waiting status for the oldest payment's age.
 */
import type { Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import type { Logger } from 'pino';
import { PAYMENT_STATUSES, type PaymentStatus } from '../workflows/messages';
import { PaymentCreatedAtKey } from '../workflows/search-attributes';
import type { ApiMetrics } from './metrics';
import { visibilityQuery } from './payments-list';

/**
 * Statuses in which a payment waits for something that should come soon (CodePay, the shopper, an
 * operator): the age of the oldest says whether it is stuck. PAID and PARTIALLY_REFUNDED stay open
 * through the refund window by design.
 */
export const WAITING_STATUSES = ['CREATING', 'AWAITING_PAYMENT', 'NEEDS_REVIEW'] as const satisfies readonly PaymentStatus[];

/** Pages of the oldest-payment listing read per status and refresh; beyond that the age is a lower bound. */
const MAX_OLDEST_PAGES = 5;
const PAGE_SIZE = 1000;

export interface PaymentGauges {
  /** One refresh now (tests; the timer calls it too). */
  refresh(): Promise<void>;
  stop(): void;
}

export interface PaymentGaugeOptions {
  client: Client;
  namespace: string;
  metrics: ApiMetrics;
  intervalMs: number;
  logger: Logger;
}

export function startPaymentGauges({ client, namespace, metrics, intervalMs, logger }: PaymentGaugeOptions): PaymentGauges {
  /**
   * One count per status, in parallel: Temporal's visibility groups only by ExecutionStatus
   * ("'GROUP BY' clause is not supported for search attribute PaymentStatus").
   */
  async function countByStatus(): Promise<Map<PaymentStatus, number>> {
    const counts = await Promise.all(
      PAYMENT_STATUSES.map(async (status) => {
        const { count } = await client.workflowService.countWorkflowExecutions({ namespace, query: visibilityQuery({ status }) });
        return [status, Number(count ?? 0)] as const;
      }),
    );
    return new Map(counts);
  }

  async function oldestCreatedAt(status: PaymentStatus): Promise<number | undefined> {
    const query = `${visibilityQuery({ status })} AND ExecutionStatus = 'Running'`;
    let oldest: number | undefined;
    let nextPageToken: Uint8Array | undefined;
    for (let page = 0; page < MAX_OLDEST_PAGES; page += 1) {
      const answer = await client.workflowService.listWorkflowExecutions({ namespace, query, pageSize: PAGE_SIZE, nextPageToken });
      for (const execution of answer.executions ?? []) {
        const created = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields).get(PaymentCreatedAtKey)?.getTime() ?? Number(execution.startTime?.seconds ?? 0) * 1000;
        if (created !== undefined && (oldest === undefined || created < oldest)) oldest = created;
      }
      nextPageToken = answer.nextPageToken ?? undefined;
      if (!nextPageToken || nextPageToken.length === 0) break;
    }
    return oldest;
  }

  async function refresh(): Promise<void> {
    const counts = await countByStatus();
    for (const status of PAYMENT_STATUSES) metrics.paymentsByStatus.set({ status }, counts.get(status) ?? 0);
    for (const status of WAITING_STATUSES) metrics.oldestPaymentCreatedAt.set(status, (counts.get(status) ?? 0) > 0 ? await oldestCreatedAt(status) : undefined);
  }

  const tick = () => refresh().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'payment gauges not refreshed; keeping the last values'));
  void tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return { refresh, stop: () => clearInterval(timer) };
}

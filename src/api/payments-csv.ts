import type { Client } from '@temporalio/client';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { toDecimalString } from '../codepay/money';
import { fetchPayment, listPaymentPage, taskQueueClause, type ListedPayment } from '../reconciliation/payment-records';
import type { PaymentView } from '../workflows/messages';
import { csvLine } from './csv';
import type { ListPaymentsQuery } from './payments-list';
import { visibilityQuery } from './payments-list';

/**
 * `GET /v1/payments` with `Accept: text/csv` (docs/design.md §4): every payment the JSON list's
 * filters match, page after page, streamed as it is read, with the amounts only the payment's own
 * record holds (paid, refunded, last change). Memory stays at one page whatever the count.
 */
export const PAYMENTS_CSV_HEADER = ['merchantOrderNo', 'status', 'amount', 'currency', 'paidAmount', 'refundedAmount', 'codepayTransNo', 'createdAt', 'updatedAt'] as const;
const PAGE_SIZE = 100;
/** Records read at once: a page's queries overlap without flooding the workers. */
const PARALLEL_READS = 8;

export function paymentCsvLine(p: PaymentView): string {
  const money = (minor: number) => toDecimalString(minor, p.currency);
  return csvLine([p.merchantOrderNo, p.status, money(p.amountMinor), p.currency, money(p.paidAmountMinor), money(p.refundedAmountMinor), p.codepayTransNo, p.createdAt, p.updatedAt]);
}

async function readAll(client: Client, payments: ListedPayment[]): Promise<PaymentView[]> {
  const views: PaymentView[] = new Array<PaymentView>(payments.length);
  let next = 0;
  const reader = async () => {
    while (next < payments.length) {
      const index = next++;
      views[index] = await fetchPayment(client, payments[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, payments.length) }, reader));
  return views;
}

export async function streamPaymentsCsv(client: Client, filters: ListPaymentsQuery, res: Response, logger: Logger, taskQueue: string): Promise<void> {
  // Only this service's payments: each row's amounts come from a query its own workers answer.
  const query = `${visibilityQuery(filters)} AND ${taskQueueClause(taskQueue)}`;
  // The first page is read before answering, so an unreachable Temporal is still a clean 503.
  let page = await listPaymentPage(client, query, PAGE_SIZE);
  res.status(200).type('text/csv; charset=utf-8').attachment('payments.csv');
  res.write(csvLine(PAYMENTS_CSV_HEADER));
  try {
    for (;;) {
      for (const view of await readAll(client, page.payments)) {
        if (!res.write(paymentCsvLine(view))) await new Promise((resolve) => res.once('drain', resolve));
      }
      if (!page.nextPageToken) break;
      page = await listPaymentPage(client, query, PAGE_SIZE, page.nextPageToken);
    }
    res.end();
  } catch (err) {
    // Headers are gone: cut the stream, so the client sees a broken download rather than a short file.
    logger.error({ err: (err as Error).message }, 'payments CSV export failed midway');
    res.destroy(err as Error);
  }
}

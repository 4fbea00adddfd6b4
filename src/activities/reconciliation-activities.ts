/**
 * The reconciliation's I/O (docs/design.md §11): visibility to find the window's payments, each
 * payment's own record, CodePay's order and refund queries paced at RECONCILIATION_QUERIES_PER_SECOND
 * and retried through outages, the report store, and the finding signalled to a payment that
 * disagrees. The rules are in src/reconciliation/classify.ts.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { OrderFact, RefundFact } from '../codepay/model';
import { addTotals, classifyPayment, codepayTotals, reviewFinding, type CodePayRecord, type CurrencyTotals } from '../reconciliation/classify';
import { countPayments, fetchPayment, listPaymentPage, reconciliationQuery, type ListedPayment } from '../reconciliation/payment-records';
import type { ReportRow, ReportSummary } from '../reconciliation/report';
import type { ReportStore } from '../reconciliation/report-store';
import { PaymentErrorType, paymentWorkflowId, reconciliationExceptionSignal } from '../workflows/messages';
import type { CodePayActivities } from './codepay-activities';

/** CodePay's answer that it knows no such order (E04111) or refund (E04110). */
const NOT_FOUND_CODES = new Set(['E04111', 'E04110']);
/** Between retries of a CodePay query that failed in transit: doubling up to a minute, for as long as the activity lives. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;

/** [from, to) of the payments on `taskQueue` (the service's: the reconciliation runs on it too). */
export interface ReconciliationWindow {
  from: string;
  to: string;
  taskQueue: string;
}

export interface ReconcileBatchInput {
  id: string;
  batch: number;
  from: string;
  to: string;
  payments: ListedPayment[];
}

export interface BatchResult {
  checked: number;
  matched: number;
  pending: number;
  exceptions: number;
  /** Payments moved to review (an open workflow took the finding). */
  flagged: number;
  totals: Record<string, CurrencyTotals>;
}

export interface ReconciliationActivities {
  countReconciliationPayments(window: ReconciliationWindow): Promise<number>;
  listReconciliationPage(input: ReconciliationWindow & { pageSize: number; pageToken?: string }): Promise<{ payments: ListedPayment[]; nextPageToken?: string }>;
  reconcileBatch(input: ReconcileBatchInput): Promise<BatchResult>;
  saveReconciliationSummary(summary: ReportSummary & { begin?: boolean }): Promise<void>;
}

export interface ReconciliationDeps {
  client: Client;
  codepay: Pick<CodePayActivities, 'queryOrder' | 'queryRefund'>;
  store: ReportStore;
  /** Waits for the next CodePay query slot (pacer.ts). */
  pace: () => Promise<void>;
}

const notFound = (error: unknown) =>
  error instanceof ApplicationFailure && error.type === PaymentErrorType.GATEWAY_REJECTED && NOT_FOUND_CODES.has(String((error.details?.[0] as { code?: unknown } | undefined)?.code));

export function createReconciliationActivities({ client, codepay, store, pace }: ReconciliationDeps): ReconciliationActivities {
  /** One paced CodePay query; undefined when CodePay knows no such record. Transport failures are retried here, heartbeating. */
  async function ask<T>(call: () => Promise<T>): Promise<T | undefined> {
    for (let delay = RETRY_FIRST_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      await pace();
      try {
        return await call();
      } catch (error) {
        if (notFound(error)) return undefined;
        // Business rejections and configuration errors will not heal by asking again.
        if (error instanceof ApplicationFailure && error.nonRetryable) throw error;
        Context.current().log.warn('CodePay query failed; retrying', { error: String(error), retryInMs: delay });
        Context.current().heartbeat();
        await Context.current().sleep(delay);
      }
    }
  }

  async function codepayRecord(merchantOrderNo: string, refundNos: string[]): Promise<CodePayRecord> {
    const order = await ask<OrderFact>(() => codepay.queryOrder(merchantOrderNo));
    const refunds = new Map<string, RefundFact | undefined>();
    for (const refundNo of refundNos) refunds.set(refundNo, await ask<RefundFact>(() => codepay.queryRefund(refundNo)));
    return { order, refunds };
  }

  async function flag(id: string, merchantOrderNo: string, finding: ReturnType<typeof reviewFinding>): Promise<boolean> {
    try {
      await client.workflow.getHandle(paymentWorkflowId(merchantOrderNo)).signal(reconciliationExceptionSignal, { reconciliationId: id, ...finding });
      return true;
    } catch (error) {
      // A closed payment takes no signal: the report is then the only record, for an operator.
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  return {
    countReconciliationPayments: ({ from, to, taskQueue }) => countPayments(client, reconciliationQuery(from, to, taskQueue)),

    listReconciliationPage: ({ from, to, taskQueue, pageSize, pageToken }) => listPaymentPage(client, reconciliationQuery(from, to, taskQueue), pageSize, pageToken),

    async reconcileBatch({ id, batch, from, to, payments }) {
      const result: BatchResult = { checked: 0, matched: 0, pending: 0, exceptions: 0, flagged: 0, totals: {} };
      const rows: ReportRow[] = [];
      const inWindow = (iso: string) => iso >= new Date(from).toISOString() && iso < new Date(to).toISOString();
      for (const listed of payments) {
        Context.current().heartbeat(listed.merchantOrderNo);
        const ours = await fetchPayment(client, listed);
        const codepay = await codepayRecord(ours.merchantOrderNo, ours.refunds.map((r) => r.refundNo));
        const verdict = classifyPayment(ours, codepay, new Date().toISOString());
        result.checked += 1;
        if (verdict.kind === 'matched') result.matched += 1;
        if (verdict.kind === 'pending') {
          result.pending += 1;
          rows.push({ type: 'pending', merchantOrderNo: ours.merchantOrderNo, ageSeconds: verdict.ageSeconds, reason: verdict.reason });
        }
        if (verdict.kind === 'exception') {
          result.exceptions += 1;
          rows.push(...verdict.exceptions.map((e) => ({ type: 'exception' as const, ...e })));
          if (await flag(id, ours.merchantOrderNo, reviewFinding(verdict.exceptions))) result.flagged += 1;
        }
        // Totals and adopted refunds belong to the window their payment was created in, never to two.
        if (inWindow(listed.createdAt)) result.totals = addTotals(result.totals, codepayTotals(ours, codepay));
        for (const refund of ours.refunds) {
          if (refund.origin === 'codepay' && inWindow(refund.requestedAt)) {
            rows.push({ type: 'adopted', merchantOrderNo: ours.merchantOrderNo, refundNo: refund.refundNo, amountMinor: refund.amountMinor, currency: ours.currency, at: refund.requestedAt });
          }
        }
      }
      store.saveRows(id, batch, rows);
      return result;
    },

    async saveReconciliationSummary({ begin, ...summary }) {
      if (begin) store.begin(summary);
      else store.saveSummary(summary);
    },
  };
}

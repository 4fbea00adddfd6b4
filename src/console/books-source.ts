import type { Client } from '@temporalio/client';
import type { Response } from 'express';
import type { ListPaymentsQuery } from '../api/payments-list';
import { listRuns, readReport, reportCsv, reportResponse } from '../api/reconciliations-router';
import type { ReconciliationResponse, ReconciliationSummaryResponse } from '../api/reconciliations-schemas';
import type { ReportStore } from '../reconciliation/report-store';

/**
 * What the console reads of the books (docs/design.md §7), in one place: reconciliation runs and
 * reports exactly as `GET /v1/reconciliations(/:id)` answers them (JSON and CSV), and the payments
 * CSV of `GET /v1/payments` with `Accept: text/csv` — the same functions, so the pages and the
 * operator API cannot disagree.
 */
export interface BooksSource {
  /** The latest runs, newest first, a page at a time. */
  runs(query: { cursor?: string; limit: number }): { data: ReconciliationSummaryResponse[]; nextCursor: string | null };
  report(id: string): Promise<ReconciliationResponse | undefined>;
  /** The report as `GET /v1/reconciliations/:id` with `Accept: text/csv` answers it. */
  reportCsv(report: ReconciliationResponse): string;
  /** Every payment matching the filters as CSV, streamed to `res`. */
  exportPaymentsCsv(filters: ListPaymentsQuery, res: Response): Promise<void>;
}

export function createBooksSource({ client, store, exportCsv }: { client: Client; store: ReportStore; exportCsv: BooksSource['exportPaymentsCsv'] }): BooksSource {
  return {
    runs: (query) => listRuns(store, query),
    report: async (id) => {
      const found = await readReport(client, store, id);
      return found && reportResponse(found);
    },
    reportCsv,
    exportPaymentsCsv: exportCsv,
  };
}

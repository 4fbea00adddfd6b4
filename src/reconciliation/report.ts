/**
 * A reconciliation report as stored and served (docs/design.md §11): a summary that the run rewrites
 * after every batch (its progress), and the rows — exceptions, pending payments, adopted refunds —
 * one batch at a time. Money inside is minor units; the API turns it into decimal strings.
 */
import { addTotals, type CurrencyTotals, type ReconciliationException } from './classify';

export const RECONCILIATION_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED'] as const;
export type ReconciliationStatus = (typeof RECONCILIATION_STATUSES)[number];
export type ReconciliationTrigger = 'schedule' | 'api';

export interface ReportSummary {
  id: string;
  status: ReconciliationStatus;
  /** The window [from, to), ISO-8601 UTC. */
  from: string;
  to: string;
  trigger: ReconciliationTrigger;
  startedAt: string;
  finishedAt?: string;
  /** Payments to check (counted when the run started; open payments may close meanwhile). */
  total: number;
  checked: number;
  matched: number;
  pending: number;
  /** Payments with at least one exception. */
  exceptions: number;
  totals: Record<string, CurrencyTotals>;
  error?: string;
}

export type ReportRow =
  | ({ type: 'exception' } & ReconciliationException)
  | { type: 'pending'; merchantOrderNo: string; ageSeconds: number; reason: string }
  | { type: 'adopted'; merchantOrderNo: string; refundNo: string; amountMinor: number; currency: string; at: string };

export interface Report {
  summary: ReportSummary;
  rows: ReportRow[];
}

/** `YYYYMMDDTHHMMSSZ`: a window bound as it appears in a run's id. */
const compact = (iso: string) => new Date(iso).toISOString().replace(/[-:]|\.\d{3}/g, '');

/** The id of the API's run over a window: one run per window at a time (the workflow id). */
export const reconciliationId = (from: string, to: string) => `reconciliation-${compact(from)}-${compact(to)}`;

/** Ids are workflow ids of this service: letters, digits and `-_.:` (the schedule appends a timestamp). */
export const REPORT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;

/** The summary after one more batch; `total` grows when payments appeared after the count. */
export function addBatch(summary: ReportSummary, batch: { checked: number; matched: number; pending: number; exceptions: number; totals: Record<string, CurrencyTotals> }): ReportSummary {
  const checked = summary.checked + batch.checked;
  return {
    ...summary,
    checked,
    total: Math.max(summary.total, checked),
    matched: summary.matched + batch.matched,
    pending: summary.pending + batch.pending,
    exceptions: summary.exceptions + batch.exceptions,
    totals: addTotals(summary.totals, batch.totals),
  };
}

/** The scheduled run's window: the UTC day before the scheduled time. */
export function previousUtcDay(at: Date): { from: string; to: string } {
  const to = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  return { from: new Date(to - 24 * 3600 * 1000).toISOString(), to: new Date(to).toISOString() };
}

/** One line for the Web UI's current details (and logs). */
export function progressLine(s: ReportSummary): string {
  return `Reconciliation [${s.from}, ${s.to}) ${s.status}: checked ${s.checked} of ${s.total} — ${s.matched} matched, ${s.pending} pending, ${s.exceptions} with exceptions`;
}

import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { type RequestHandler, type Response, Router } from 'express';
import { toDecimalString } from '../codepay/money';
import { totalsView } from '../reconciliation/classify';
import { reconciliationId, type Report, type ReportSummary } from '../reconciliation/report';
import type { ReportStore } from '../reconciliation/report-store';
import { getReconciliationQuery, RECONCILIATION_WORKFLOW_TYPE, type ReconciliationInput } from '../workflows/reconciliation-messages';
import { csvLine, wantsCsv } from './csv';
import { translate, translateWrite } from './payment-commands';
import { jsonBody, params, parse } from './payments-router';
import { ProblemError } from './problem';
import {
  CreateReconciliationBodySchema,
  ListReconciliationsQuerySchema,
  ReconciliationParamsSchema,
  type ReconciliationResponse,
  type ReconciliationSummaryResponse,
} from './reconciliations-schemas';
import { budgeted, withDeadline } from './temporal-failures';

export interface ReconciliationsRouterDeps {
  client: Client;
  taskQueue: string;
  store: ReportStore;
  /** Operator keys only (requireOperatorKey). */
  auth: RequestHandler;
  requestMs: number;
}

export function summaryResponse(s: ReportSummary): ReconciliationSummaryResponse {
  const { exceptions, totals, ...rest } = s;
  return { ...rest, exceptionCount: exceptions, totals: totalsView(totals) };
}

export function reportResponse({ summary, rows }: Report): ReconciliationResponse {
  return {
    ...summaryResponse(summary),
    exceptions: rows.flatMap((r) => (r.type === 'exception' ? [{ merchantOrderNo: r.merchantOrderNo, kind: r.kind, ours: r.ours, codepay: r.codepay }] : [])),
    pendingPayments: rows.flatMap((r) => (r.type === 'pending' ? [{ merchantOrderNo: r.merchantOrderNo, ageSeconds: r.ageSeconds, reason: r.reason }] : [])),
    adopted: rows.flatMap((r) => (r.type === 'adopted' ? [{ merchantOrderNo: r.merchantOrderNo, refundNo: r.refundNo, amount: toDecimalString(r.amountMinor, r.currency), currency: r.currency, at: r.at }] : [])),
  };
}

export const REPORT_CSV_HEADER = ['row', 'merchantOrderNo', 'kind', 'ageSeconds', 'reason', 'ours', 'codepay', 'currency', 'paid', 'refunded', 'net'] as const;

/** The report as finance reads it: one row per exception and per pending payment, then the totals. */
export function reportCsv(report: ReconciliationResponse): string {
  const lines = [csvLine(REPORT_CSV_HEADER)];
  for (const e of report.exceptions) lines.push(csvLine(['exception', e.merchantOrderNo, e.kind, null, null, JSON.stringify(e.ours), JSON.stringify(e.codepay), null, null, null, null]));
  for (const p of report.pendingPayments) lines.push(csvLine(['pending', p.merchantOrderNo, null, p.ageSeconds, p.reason, null, null, null, null, null, null]));
  for (const t of report.totals) lines.push(csvLine(['total', null, null, null, null, null, null, t.currency, t.paid, t.refunded, t.net]));
  return lines.join('');
}

const encodeCursor = (s: ReportSummary) => Buffer.from(JSON.stringify([s.startedAt, s.id])).toString('base64url');

/**
 * The stored report; while the run has not saved one yet, or died without saying so, the workflow's
 * word. The operator API and the console read reports through this.
 */
export async function readReport(client: Client, store: ReportStore, id: string): Promise<Report | undefined> {
  const stored = store.report(id);
  if (stored && stored.summary.status !== 'RUNNING') return stored;
  const handle = client.workflow.getHandle(id);
  try {
    const description = await handle.describe();
    if (description.type !== RECONCILIATION_WORKFLOW_TYPE) return undefined;
    if (description.status.name === 'RUNNING') return stored ?? { summary: await handle.query(getReconciliationQuery), rows: [] };
    // Ended without its last save (terminated, timed out): the report says the run failed.
    const after = store.report(id);
    if (after && after.summary.status !== 'RUNNING') return after;
    return after && { ...after, summary: { ...after.summary, status: 'FAILED', error: `the run ended ${description.status.name.toLowerCase()}` } };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return stored;
    throw translate(err);
  }
}

/** One page of the runs, newest first; the cursor names the last run of the previous page. */
export function listRuns(store: ReportStore, { cursor, limit }: { cursor?: string; limit: number }): { data: ReconciliationSummaryResponse[]; nextCursor: string | null } {
  const all = store.summaries();
  let start = 0;
  if (cursor) {
    start = all.findIndex((s) => encodeCursor(s) === cursor) + 1;
    if (start === 0) throw new ProblemError('validation', 'cursor: not a cursor this API issued', { errors: [{ field: 'cursor', message: 'not a cursor this API issued' }] });
  }
  const page = all.slice(start, start + limit);
  const more = start + limit < all.length;
  return { data: page.map(summaryResponse), nextCursor: more ? encodeCursor(page[page.length - 1]!) : null };
}

/** docs/design.md §11: operators start a reconciliation and read its report. */
export function createReconciliationsRouter({ client, taskQueue, store, auth, requestMs }: ReconciliationsRouterDeps): Router {
  const router = Router();
  const budget = (handler: RequestHandler) => budgeted(requestMs, handler);

  router.post('/v1/reconciliations', auth, ...jsonBody, budget(async (req, res) => {
    const body = parse(CreateReconciliationBodySchema, req.body, 'request body');
    const from = new Date(body.from).toISOString();
    const to = new Date(body.to).toISOString();
    const id = reconciliationId(from, to);
    try {
      // The same window while its run is going answers that run.
      // Under the request's deadline like every other call: a frozen Temporal costs a 503, not the SDK's retry budget.
      await withDeadline(client, requestMs, () =>
        client.workflow.start<(input: ReconciliationInput) => Promise<unknown>>(RECONCILIATION_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: id,
          args: [{ from, to, trigger: 'api' }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          staticSummary: `Reconciliation of [${from}, ${to}) by ${String(res.locals.operator)}`,
        }),
      );
    } catch (err) {
      throw translateWrite(err, `reconciliation ${id} may have been started; retry with the same window: it answers that run`);
    }
    res.status(202).json({ id, status: 'RUNNING', from, to });
  }));

  router.get('/v1/reconciliations', auth, (req, res: Response) => {
    res.json(listRuns(store, parse(ListReconciliationsQuerySchema, req.query, 'query')));
  });

  router.get('/v1/reconciliations/:id', auth, budget(async (req, res) => {
    const { id } = params(ReconciliationParamsSchema, req);
    const found = await readReport(client, store, id);
    if (!found) throw new ProblemError('not-found', `no reconciliation ${id}`);
    const body = reportResponse(found);
    if (wantsCsv((types) => req.accepts(types))) {
      res.type('text/csv; charset=utf-8').attachment(`${id}.csv`).send(reportCsv(body));
      return;
    }
    res.json(body);
  }));

  return router;
}

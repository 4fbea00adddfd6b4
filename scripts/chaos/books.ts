import { z } from 'zod';
import type { PaymentResponse } from '../../src/views/payment-response';
import type { HttpClient } from './http';
import type { Prng } from './prng';
import type { Finding } from './reconcile';

/**
 * The chaos run's closing reconciliation (issue 22, docs/design.md §11): once every payment has
 * settled, a few paid ones are overridden at the sandbox to `trans_status` 3 (a reversal on
 * CodePay's side, no notification), then one reconciliation runs over the whole chaos window
 * through the operator API. It must find every override as a `status` exception and nothing else
 * for the payments chaos did not tamper with. Kept apart from run.ts's other steps: it changes the
 * books, so it runs last.
 */
export const OVERRIDES = 3;
const REPORT_BUDGET_MS = 15 * 60_000;

const ReportSchema = z.looseObject({
  id: z.string(),
  status: z.enum(['RUNNING', 'COMPLETED', 'FAILED']),
  checked: z.number(),
  total: z.number(),
  matched: z.number(),
  pending: z.number(),
  exceptions: z.array(z.looseObject({ merchantOrderNo: z.string(), kind: z.string() })),
  error: z.string().optional(),
});
export type ClosingReport = z.infer<typeof ReportSchema>;

export interface BooksCheck {
  overridden: string[];
  report?: Pick<ClosingReport, 'id' | 'status' | 'checked' | 'total' | 'matched' | 'pending'> & { exceptions: number };
  violations: Finding[];
}

/** Up to `count` payments that chaos left `PAID` (nothing in flight), chosen by the run's seed. */
export function pickOverrides(views: ReadonlyMap<string, PaymentResponse | undefined>, prng: Prng, count = OVERRIDES): string[] {
  const paid = [...views.values()].filter((v): v is PaymentResponse => v?.status === 'PAID' && v.refunds.length === 0).map((v) => v.merchantOrderNo).sort();
  const chosen: string[] = [];
  while (chosen.length < count && paid.length > 0) chosen.push(paid.splice(prng.int(0, paid.length - 1), 1)[0]!);
  return chosen.sort();
}

/** What the report must say: every override a `status` exception, no exception for any other chaos payment. */
export function booksViolations(report: ClosingReport, chaosPayments: ReadonlySet<string>, overridden: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  if (report.status !== 'COMPLETED') findings.push({ merchantOrderNo: '-', rule: 'closing reconciliation completes', expected: 'COMPLETED', actual: `${report.status}${report.error ? `: ${report.error}` : ''}` });
  for (const no of overridden) {
    const kinds = report.exceptions.filter((e) => e.merchantOrderNo === no).map((e) => e.kind);
    if (kinds.join() !== 'status') findings.push({ merchantOrderNo: no, rule: 'override found by the closing reconciliation', expected: 'one status exception', actual: kinds.join(', ') || 'none' });
  }
  const tampered = new Set(overridden);
  for (const e of report.exceptions) {
    if (chaosPayments.has(e.merchantOrderNo) && !tampered.has(e.merchantOrderNo)) {
      findings.push({ merchantOrderNo: e.merchantOrderNo, rule: 'no exception for an untouched payment', expected: 'matched or pending', actual: `exception ${e.kind}` });
    }
  }
  return findings;
}

export async function closingReconciliation(args: {
  operator: HttpClient;
  sandbox: HttpClient;
  views: ReadonlyMap<string, PaymentResponse | undefined>;
  /** Start of the chaos window (before the first payment). */
  from: Date;
  prng: Prng;
  say: (line: string) => void;
}): Promise<BooksCheck> {
  const overridden = pickOverrides(args.views, args.prng);
  for (const no of overridden) {
    const answer = await args.sandbox.request('POST', `/sandbox/orders/${encodeURIComponent(no)}/override`, { transStatus: 3 });
    if (answer.status !== 200) throw new Error(`override of ${no} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
  }
  // Visibility lags about a second behind the last payment.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const window = { from: args.from.toISOString(), to: new Date().toISOString() };
  args.say(`chaos: closing reconciliation over [${window.from}, ${window.to}), ${overridden.length} payments overridden to trans_status 3`);
  const started = await args.operator.request('POST', '/v1/reconciliations', window);
  if (started.status !== 202) throw new Error(`POST /v1/reconciliations answered ${started.status}: ${started.text.slice(0, 200)}`);
  const { id } = z.object({ id: z.string() }).parse(started.json);
  const deadline = Date.now() + REPORT_BUDGET_MS;
  for (;;) {
    const answer = await args.operator.request('GET', `/v1/reconciliations/${encodeURIComponent(id)}`);
    const report = answer.status === 200 ? ReportSchema.parse(answer.json) : undefined;
    if (report && (report.status !== 'RUNNING' || Date.now() > deadline)) {
      const chaosPayments = new Set([...args.views.keys()]);
      const { exceptions, ...figures } = report;
      return { overridden, report: { ...figures, exceptions: exceptions.length }, violations: booksViolations(report, chaosPayments, overridden) };
    }
    if (Date.now() > deadline) return { overridden, violations: [{ merchantOrderNo: '-', rule: 'closing reconciliation report', expected: 'HTTP 200', actual: `HTTP ${answer.status}` }] };
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

export function formatBooks(check: BooksCheck): string {
  const r = check.report;
  const head = r ? `${r.status}: ${r.checked}/${r.total} checked, ${r.matched} matched, ${r.pending} pending, ${r.exceptions} exceptions` : 'no report';
  const lines = [`closing reconciliation (${check.overridden.length} overridden): ${head}; ${check.violations.length} violations`];
  for (const v of check.violations) lines.push(`  ${v.merchantOrderNo}: ${v.rule} — expected ${v.expected}, got ${v.actual}`);
  return `${lines.join('\n')}\n`;
}

import type { ReconciliationResponse, ReconciliationSummaryResponse } from '../api/reconciliations-schemas';
import { Notice, Page, StatusBadge, Table, When } from './layout';

type Operator = { id: string; csrf: string };

const paymentHref = (no: string) => `/console/payments/${encodeURIComponent(no)}`;

/** The reconciliation runs, newest first: what was checked when, and how it came out. */
export function ReconciliationsPage({ nonce, operator, runs, nextHref }: { nonce: string; operator: Operator; runs: ReconciliationSummaryResponse[]; nextHref?: string }) {
  return (
    <Page nonce={nonce} title="Reconciliations" operator={operator}>
      <h1>Reconciliations</h1>
      <p>
        Each run compares our records of the payments in its window with CodePay&apos;s (order and refund queries). The daily run checks the previous UTC day; operators start others with{' '}
        <code>POST /v1/reconciliations</code>. An exception moves its payment to NEEDS_REVIEW, decided on the payment&apos;s page.
      </p>
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        {runs.length === 0 ? (
          <p data-testid="no-runs">No reconciliation has run yet.</p>
        ) : (
          <Table
            testId="runs"
            rows={runs}
            rowKey={(r) => r.id}
            columns={[
              {
                label: 'Window (UTC)',
                cell: (r) => (
                  <a href={`/console/reconciliations/${encodeURIComponent(r.id)}`}>
                    <When at={r.from} /> – <When at={r.to} />
                  </a>
                ),
              },
              { label: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
              { label: 'Trigger', cell: (r) => r.trigger },
              { label: 'Checked', num: true, cell: (r) => `${r.checked} of ${r.total}` },
              { label: 'Matched', num: true, cell: (r) => r.matched },
              { label: 'Pending', num: true, cell: (r) => r.pending },
              { label: 'Exceptions', num: true, cell: (r) => r.exceptionCount },
            ]}
          />
        )}
        {nextHref && (
          <nav className="pager" aria-label="Pages">
            <a href="/console/reconciliations">First page</a>
            <a href={nextHref}>Next page</a>
          </nav>
        )}
      </section>
    </Page>
  );
}

/** One report as finance signs it off: totals, then every exception, pending payment and adopted refund. */
export function ReconciliationPage({ nonce, operator, report }: { nonce: string; operator: Operator; report: ReconciliationResponse }) {
  const csvHref = `/console/reconciliations/${encodeURIComponent(report.id)}/report.csv`;
  return (
    <Page nonce={nonce} title={`Reconciliation ${report.id}`} operator={operator}>
      <h1>
        Reconciliation <StatusBadge status={report.status} />
      </h1>
      <Notice error={report.error} />
      <div className="columns">
        <section aria-labelledby="run-title">
          <h2 id="run-title">Run</h2>
          <dl className="facts" data-testid="run">
            <dt>Window</dt>
            <dd>
              <When at={report.from} /> – <When at={report.to} />
            </dd>
            <dt>Trigger</dt>
            <dd>{report.trigger}</dd>
            <dt>Started</dt>
            <dd>
              <When at={report.startedAt} />
            </dd>
            <dt>Finished</dt>
            <dd>
              <When at={report.finishedAt} />
            </dd>
            <dt>Checked</dt>
            <dd>
              {report.checked} of {report.total}
            </dd>
            <dt>Matched</dt>
            <dd>{report.matched}</dd>
            <dt>Pending</dt>
            <dd>{report.pending}</dd>
            <dt>With exceptions</dt>
            <dd data-testid="exception-count">{report.exceptionCount}</dd>
          </dl>
          <p>
            <a href={csvHref} download data-testid="report-csv">
              Download the report as CSV
            </a>
          </p>
        </section>
        <section aria-labelledby="totals-title">
          <h2 id="totals-title">Totals (CodePay&apos;s confirmed figures)</h2>
          <Totals totals={report.totals} />
        </section>
      </div>
      <section aria-labelledby="exceptions-title">
        <h2 id="exceptions-title">Exceptions</h2>
        {report.exceptions.length === 0 ? (
          <p>None: every final payment matched CodePay.</p>
        ) : (
          <Table
            testId="exceptions"
            rows={report.exceptions}
            rowKey={(e, index) => `${e.merchantOrderNo}-${e.kind}-${index}`}
            columns={[
              { label: 'Payment', cell: (e) => <a href={paymentHref(e.merchantOrderNo)}>{e.merchantOrderNo}</a> },
              { label: 'Kind', cell: (e) => e.kind },
              { label: 'Ours', cell: (e) => sideText(e.ours) },
              { label: "CodePay's", cell: (e) => sideText(e.codepay) },
            ]}
          />
        )}
      </section>
      <section aria-labelledby="pending-title">
        <h2 id="pending-title">Pending payments</h2>
        {report.pendingPayments.length === 0 ? (
          <p>None.</p>
        ) : (
          <Table
            testId="pending"
            rows={report.pendingPayments}
            rowKey={(p) => p.merchantOrderNo}
            columns={[
              { label: 'Payment', cell: (p) => <a href={paymentHref(p.merchantOrderNo)}>{p.merchantOrderNo}</a> },
              { label: 'Age', num: true, cell: (p) => age(p.ageSeconds) },
              { label: 'Why not final', cell: (p) => p.reason },
            ]}
          />
        )}
      </section>
      <section aria-labelledby="adopted-title">
        <h2 id="adopted-title">Refunds adopted from CodePay</h2>
        {report.adopted.length === 0 ? (
          <p>None: no refund was made outside this service in the window.</p>
        ) : (
          <Table
            testId="adopted"
            rows={report.adopted}
            rowKey={(a) => a.refundNo}
            columns={[
              { label: 'Payment', cell: (a) => <a href={paymentHref(a.merchantOrderNo)}>{a.merchantOrderNo}</a> },
              { label: 'Refund number', cell: (a) => a.refundNo },
              { label: 'Amount', num: true, cell: (a) => `${a.amount} ${a.currency}` },
              { label: 'Adopted', cell: (a) => <When at={a.at} /> },
            ]}
          />
        )}
      </section>
    </Page>
  );
}

function Totals({ totals }: { totals: ReconciliationSummaryResponse['totals'] }) {
  if (totals.length === 0) return <p>No money confirmed in this window.</p>;
  return (
    <Table
      testId="totals"
      rows={totals}
      rowKey={(t) => t.currency}
      columns={[
        { label: 'Currency', cell: (t) => t.currency },
        { label: 'Paid', num: true, cell: (t) => t.paid },
        { label: 'Refunded', num: true, cell: (t) => t.refunded },
        { label: 'Net', num: true, cell: (t) => t.net },
      ]}
    />
  );
}

/** One side of an exception, as `field: value` pairs. */
const sideText = (side: Record<string, string | number | null>) =>
  Object.entries(side)
    .map(([key, value]) => `${key}: ${value ?? '—'}`)
    .join('; ');

const age = (seconds: number) => (seconds < 3600 ? `${Math.round(seconds / 60)} min` : seconds < 172_800 ? `${Math.round(seconds / 3600)} h` : `${Math.round(seconds / 86_400)} d`);

import type { ReconciliationResponse, ReconciliationSummaryResponse } from '../api/reconciliations-schemas';
import { Notice, Page, StatusBadge, When } from './layout';

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
          <table className="cards" data-testid="runs">
            <thead>
              <tr>
                <th scope="col">Window (UTC)</th>
                <th scope="col">Status</th>
                <th scope="col">Trigger</th>
                <th scope="col" className="num">
                  Checked
                </th>
                <th scope="col" className="num">
                  Matched
                </th>
                <th scope="col" className="num">
                  Pending
                </th>
                <th scope="col" className="num">
                  Exceptions
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <td data-label="Window">
                    <a href={`/console/reconciliations/${encodeURIComponent(r.id)}`}>
                      <When at={r.from} /> – <When at={r.to} />
                    </a>
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={r.status} />
                  </td>
                  <td data-label="Trigger">{r.trigger}</td>
                  <td data-label="Checked" className="num">
                    {r.checked} of {r.total}
                  </td>
                  <td data-label="Matched" className="num">
                    {r.matched}
                  </td>
                  <td data-label="Pending" className="num">
                    {r.pending}
                  </td>
                  <td data-label="Exceptions" className="num">
                    {r.exceptionCount}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
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
          <table className="cards" data-testid="exceptions">
            <thead>
              <tr>
                <th scope="col">Payment</th>
                <th scope="col">Kind</th>
                <th scope="col">Ours</th>
                <th scope="col">CodePay&apos;s</th>
              </tr>
            </thead>
            <tbody>
              {report.exceptions.map((e, i) => (
                <tr key={i}>
                  <td data-label="Payment">
                    <a href={paymentHref(e.merchantOrderNo)}>{e.merchantOrderNo}</a>
                  </td>
                  <td data-label="Kind">{e.kind}</td>
                  <td data-label="Ours">{sideText(e.ours)}</td>
                  <td data-label="CodePay's">{sideText(e.codepay)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="pending-title">
        <h2 id="pending-title">Pending payments</h2>
        {report.pendingPayments.length === 0 ? (
          <p>None.</p>
        ) : (
          <table className="cards" data-testid="pending">
            <thead>
              <tr>
                <th scope="col">Payment</th>
                <th scope="col" className="num">
                  Age
                </th>
                <th scope="col">Why not final</th>
              </tr>
            </thead>
            <tbody>
              {report.pendingPayments.map((p) => (
                <tr key={p.merchantOrderNo}>
                  <td data-label="Payment">
                    <a href={paymentHref(p.merchantOrderNo)}>{p.merchantOrderNo}</a>
                  </td>
                  <td data-label="Age" className="num">
                    {age(p.ageSeconds)}
                  </td>
                  <td data-label="Why not final">{p.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="adopted-title">
        <h2 id="adopted-title">Refunds adopted from CodePay</h2>
        {report.adopted.length === 0 ? (
          <p>None: no refund was made outside this service in the window.</p>
        ) : (
          <table className="cards" data-testid="adopted">
            <thead>
              <tr>
                <th scope="col">Payment</th>
                <th scope="col">Refund number</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Adopted</th>
              </tr>
            </thead>
            <tbody>
              {report.adopted.map((a) => (
                <tr key={a.refundNo}>
                  <td data-label="Payment">
                    <a href={paymentHref(a.merchantOrderNo)}>{a.merchantOrderNo}</a>
                  </td>
                  <td data-label="Refund number">{a.refundNo}</td>
                  <td data-label="Amount" className="num">
                    {a.amount} {a.currency}
                  </td>
                  <td data-label="Adopted">
                    <When at={a.at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Page>
  );
}

function Totals({ totals }: { totals: ReconciliationSummaryResponse['totals'] }) {
  if (totals.length === 0) return <p>No money confirmed in this window.</p>;
  return (
    <table className="cards" data-testid="totals">
      <thead>
        <tr>
          <th scope="col">Currency</th>
          <th scope="col" className="num">
            Paid
          </th>
          <th scope="col" className="num">
            Refunded
          </th>
          <th scope="col" className="num">
            Net
          </th>
        </tr>
      </thead>
      <tbody>
        {totals.map((t) => (
          <tr key={t.currency}>
            <td data-label="Currency">{t.currency}</td>
            <td data-label="Paid" className="num">
              {t.paid}
            </td>
            <td data-label="Refunded" className="num">
              {t.refunded}
            </td>
            <td data-label="Net" className="num">
              {t.net}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One side of an exception, as `field: value` pairs. */
const sideText = (side: Record<string, string | number | null>) =>
  Object.entries(side)
    .map(([key, value]) => `${key}: ${value ?? '—'}`)
    .join('; ');

const age = (seconds: number) => (seconds < 3600 ? `${Math.round(seconds / 60)} min` : seconds < 172_800 ? `${Math.round(seconds / 3600)} h` : `${Math.round(seconds / 86_400)} d`);

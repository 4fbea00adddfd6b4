import type { PaymentList } from '../api/payments-list';
import { PAYMENT_STATUSES } from '../workflows/messages';
import { Notice, Page, StatusBadge, Table, When } from './layout';
import { type PaymentFilters, paymentsHref } from './payment-filters';

export interface PaymentsPageProps {
  nonce: string;
  operator: { id: string; csrf: string };
  /** The form's values as typed (redisplayed even when invalid). */
  form: Record<'status' | 'from' | 'to' | 'orderNo', string>;
  filters?: PaymentFilters;
  list?: PaymentList;
  error?: string;
}

/** Finding a payment: the filters of `GET /v1/payments`, one page of results, a link to the next. */
export function PaymentsPage({ nonce, operator, form, filters, list, error }: PaymentsPageProps) {
  return (
    <Page nonce={nonce} title="Payments" operator={operator}>
      <h1>Payments</h1>
      <section aria-labelledby="filters-title">
        <h2 id="filters-title">Find payments</h2>
        <form method="get" action="/console/payments" role="search">
          <div className="filters">
            <div className="field">
              <label htmlFor="orderNo">Order number</label>
              <input id="orderNo" name="orderNo" defaultValue={form.orderNo} maxLength={32} autoComplete="off" data-testid="order-number" />
            </div>
            <div className="field">
              <label htmlFor="status">Status</label>
              <select id="status" name="status" defaultValue={form.status}>
                <option value="">Any</option>
                {PAYMENT_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="from">Created from (UTC)</label>
              <input id="from" name="from" type="date" defaultValue={form.from} />
            </div>
            <div className="field">
              <label htmlFor="to">Created to (UTC, inclusive)</label>
              <input id="to" name="to" type="date" defaultValue={form.to} />
            </div>
          </div>
          <div className="actions">
            <button type="submit" data-testid="search">
              Search
            </button>
          </div>
        </form>
        {filters && (
          <form method="get" action="/console/payments.csv" className="export">
            {(['status', 'from', 'to', 'orderNo'] as const).map((key) => (filters[key] ? <input key={key} type="hidden" name={key} value={filters[key]} /> : null))}
            <p className="hint">All payments matching these filters, every page, as CSV for a spreadsheet.</p>
            <button type="submit" className="secondary inline" data-testid="export-csv">
              Download CSV
            </button>
          </form>
        )}
      </section>
      <Notice error={error} />
      {list && (
        <section aria-labelledby="results-title">
          <h2 id="results-title">Results</h2>
          {list.data.length === 0 ? (
            <p data-testid="no-results">No payments match these filters.</p>
          ) : (
            <Table
              testId="payments"
              rows={list.data}
              rowKey={(p) => p.merchantOrderNo}
              columns={[
                { label: 'Order number', cell: (p) => <a href={`/console/payments/${encodeURIComponent(p.merchantOrderNo)}`}>{p.merchantOrderNo}</a> },
                { label: 'Status', cell: (p) => <StatusBadge status={p.status} /> },
                { label: 'Amount', num: true, cell: (p) => `${p.amount} ${p.currency}` },
                { label: 'CodePay trans_no', cell: (p) => p.codepayTransNo ?? '—' },
                { label: 'Created', cell: (p) => <When at={p.createdAt} /> },
              ]}
            />
          )}
          <nav className="pager" aria-label="Pages">
            {filters?.cursor && <a href={paymentsHref({ ...filters, cursor: undefined })}>First page</a>}
            {list.nextCursor && filters && (
              <a href={paymentsHref(filters, list.nextCursor)} data-testid="next-page">
                Next page
              </a>
            )}
          </nav>
        </section>
      )}
    </Page>
  );
}

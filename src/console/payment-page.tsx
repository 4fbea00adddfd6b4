import { paymentResponse } from '../views/payment-view';
import type { PaymentView, WebhookDeliveryView } from '../workflows/messages';
import { CsrfField, Notice, Page, StatusBadge, Table, When } from './layout';

export interface PaymentPageProps {
  nonce: string;
  operator: { id: string; csrf: string };
  view: PaymentView;
  /** Undefined: the delivery workflow could not be read in time. */
  webhooks?: WebhookDeliveryView[];
  /** The payment's workflow in the Temporal Web UI, when its URL is known (TEMPORAL_UI_URL). */
  workflowUrl?: string;
  suggestedRefundNo: string;
  notice?: string;
  error?: string;
}

const CANCELLABLE = new Set(['CREATING', 'AWAITING_PAYMENT', 'PAID']);

/** One payment as support and finance need it: money first, then what happened, then what can be done. */
export function PaymentPage({ nonce, operator, view, webhooks, workflowUrl, suggestedRefundNo, notice, error }: PaymentPageProps) {
  const p = paymentResponse(view);
  const base = `/console/payments/${encodeURIComponent(p.merchantOrderNo)}`;
  const money = (amount: string) => `${amount} ${p.currency}`;
  return (
    <Page nonce={nonce} title={`Payment ${p.merchantOrderNo}`} operator={operator}>
      <h1>
        Payment <span data-testid="order-no">{p.merchantOrderNo}</span> <StatusBadge status={p.status} />
      </h1>
      <Notice notice={notice} error={error} />
      <div className="columns">
        <section aria-labelledby="summary-title">
          <h2 id="summary-title">Summary</h2>
          <dl className="facts" data-testid="summary">
            <dt>Status</dt>
            <dd data-testid="payment-status">{p.status}</dd>
            <dt>Description</dt>
            <dd data-testid="description">{p.description}</dd>
            <dt>Amount</dt>
            <dd>{money(p.amount)}</dd>
            <dt>Paid</dt>
            <dd data-testid="paid-amount">{money(p.paidAmount)}</dd>
            <dt>Refunded</dt>
            <dd data-testid="refunded-amount">{money(p.refundedAmount)}</dd>
            <dt>Refunds pending</dt>
            <dd>{money(p.pendingRefundAmount)}</dd>
            <dt>Refundable</dt>
            <dd data-testid="refundable-amount">{money(p.refundableAmount)}</dd>
            <dt>CodePay trans_no</dt>
            <dd data-testid="trans-no">{p.codepayTransNo ?? '—'}</dd>
            {p.refundedByCancel && (
              <>
                <dt>Cancelled after payment</dt>
                <dd>CodePay refunded the shopper in full</dd>
              </>
            )}
            {p.error && (
              <>
                <dt>CodePay error</dt>
                <dd>
                  [{p.error.code}] {p.error.message}
                </dd>
              </>
            )}
            <dt>Created</dt>
            <dd>
              <When at={p.createdAt} />
            </dd>
            <dt>Last change</dt>
            <dd>
              <When at={p.updatedAt} />
            </dd>
            <dt>Expires</dt>
            <dd>
              <When at={p.expiresAt} />
            </dd>
          </dl>
          {workflowUrl && (
            <p>
              <a href={workflowUrl} data-testid="workflow-link">
                Workflow payment-{p.merchantOrderNo} in the Temporal Web UI
              </a>{' '}
              <span className="hint">(engineers' view: every event, search attribute and retry)</span>
            </p>
          )}
        </section>
        {p.review && (
          <section aria-labelledby="review-title" data-testid="review">
            <h2 id="review-title">Review</h2>
            <p>
              <strong>Why:</strong> {p.review.reason}
            </p>
            <h3>Evidence</h3>
            <dl className="facts" data-testid="evidence">
              {Object.entries(p.review.evidence).map(([key, value]) => (
                <Fact key={key} name={key} value={value === null ? '—' : String(value)} />
              ))}
            </dl>
            {p.review.resolution ? (
              <p data-testid="resolution">
                Decided <When at={p.review.resolution.at} /> by {p.review.resolution.operator}: {p.review.resolution.decision} — {p.review.resolution.reason}
              </p>
            ) : (
              p.status === 'NEEDS_REVIEW' && (
                <form method="post" action={`${base}/review`}>
                  <CsrfField token={operator.csrf} />
                  <p className="hint">
                    CodePay is asked again when you decide. &ldquo;Accept CodePay&apos;s record&rdquo; makes CodePay&apos;s answer final (paid → PAID, closed unpaid → EXPIRED, CANCELLED or FAILED). &ldquo;Close as failed&rdquo; is only taken when CodePay holds no money for the order. A decision that contradicts CodePay is refused and the payment stays here.
                  </p>
                  <div className="field">
                    <label htmlFor="review-reason">Reason</label>
                    <textarea id="review-reason" name="reason" required maxLength={500} aria-describedby="review-reason-hint" data-testid="review-reason" />
                    <p className="hint" id="review-reason-hint">
                      Ticket and what you checked; recorded with your operator id.
                    </p>
                  </div>
                  <div className="actions">
                    <button type="submit" name="decision" value="accept_codepay_record" data-testid="accept-record">
                      Accept CodePay&apos;s record
                    </button>
                    <button type="submit" name="decision" value="close_as_failed" className="danger" data-testid="close-failed">
                      Close as failed
                    </button>
                  </div>
                </form>
              )
            )}
          </section>
        )}
      </div>
      <section aria-labelledby="refunds-title">
        <h2 id="refunds-title">Refunds</h2>
        {p.refunds.length === 0 ? (
          <p>No refunds.</p>
        ) : (
          <Table
            testId="refunds"
            rows={p.refunds}
            rowKey={(r) => r.refundNo}
            columns={[
              { label: 'Refund number', cell: (r) => r.refundNo },
              { label: 'Amount', num: true, cell: (r) => money(r.amount) },
              {
                label: 'Status',
                cell: (r) => (
                  <>
                    <StatusBadge status={r.status} />
                    {r.error && ` [${r.error.code}] ${r.error.message}`}
                  </>
                ),
              },
              { label: 'Origin', cell: (r) => refundOrigin(r) },
              { label: 'Reason', cell: (r) => r.reason ?? '—' },
              { label: 'Requested', cell: (r) => <When at={r.requestedAt} /> },
              { label: 'Completed', cell: (r) => <When at={r.completedAt} /> },
            ]}
          />
        )}
        {view.refundableAmountMinor > 0 && (
          <form method="post" action={`${base}/refunds`} aria-labelledby="refund-title">
            <h3 id="refund-title">Refund</h3>
            <CsrfField token={operator.csrf} />
            <div className="field">
              <label htmlFor="refund-amount">Amount ({p.currency})</label>
              <input id="refund-amount" name="amount" inputMode="decimal" required defaultValue={p.refundableAmount} autoComplete="off" />
              <p className="hint">At most {money(p.refundableAmount)}.</p>
            </div>
            <div className="field">
              <label htmlFor="refund-no">Refund number</label>
              <input id="refund-no" name="refundNo" required maxLength={32} defaultValue={suggestedRefundNo} autoComplete="off" />
              <p className="hint">Suggested; unique across payments and refunds. Sending the same number again never refunds twice.</p>
            </div>
            <div className="field">
              <label htmlFor="refund-reason">Reason (optional, shown to CodePay)</label>
              <input id="refund-reason" name="reason" maxLength={128} autoComplete="off" />
            </div>
            <button type="submit" className="inline" data-testid="refund">
              Refund
            </button>
          </form>
        )}
      </section>
      <section aria-labelledby="webhooks-title">
        <h2 id="webhooks-title">Merchant webhooks</h2>
        {webhooks === undefined ? (
          <p className="error">The deliveries could not be read just now; reload to try again.</p>
        ) : webhooks.length === 0 ? (
          <p>No webhook events (none emitted yet, or MERCHANT_WEBHOOK_URL is not set).</p>
        ) : (
          <Table
            testId="webhooks"
            rows={webhooks}
            rowKey={(w) => w.eventId}
            rowTestId={(w) => `webhook-${w.eventId}`}
            columns={[
              {
                label: 'Event',
                cell: (w) => (
                  <>
                    {w.type}
                    <br />
                    <span className="hint">{w.eventId}</span>
                  </>
                ),
              },
              { label: 'Status', cell: (w) => <StatusBadge status={w.status} /> },
              { label: 'Attempts', num: true, cell: (w) => w.attempts },
              { label: 'Last answer', cell: (w) => (w.lastStatus !== undefined ? `HTTP ${w.lastStatus}` : (w.lastError ?? '—')) },
              { label: 'Next attempt', cell: (w) => <When at={w.nextAttemptAt} /> },
              {
                label: 'Action',
                hiddenLabel: true,
                cell: (w) =>
                  w.status !== 'pending' && (
                    <form method="post" action={`${base}/events/${encodeURIComponent(w.eventId)}/redeliver`}>
                      <CsrfField token={operator.csrf} />
                      <button type="submit" className="secondary" aria-label={`Redeliver ${w.type} (${w.eventId})`}>
                        Redeliver
                      </button>
                    </form>
                  ),
              },
            ]}
          />
        )}
      </section>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Event timeline</h2>
        {view.eventsOmitted ? <p className="hint">{view.eventsOmitted} older events are only in the workflow's history (Web UI).</p> : null}
        <ol className="timeline" data-testid="timeline">
          {p.events.map((e, i) => (
            <li key={i}>
              <When at={e.at} />
              <strong>{e.type}</strong> {e.message}
            </li>
          ))}
        </ol>
      </section>
      {CANCELLABLE.has(p.status) && (
        <section aria-labelledby="cancel-title">
          <h2 id="cancel-title">Cancel</h2>
          <form method="post" action={`${base}/cancel`}>
            <CsrfField token={operator.csrf} />
            <p className="hint">Closes the order at CodePay. An unpaid order closes; a paid one (no refunds yet) is cancelled and CodePay refunds the shopper in full.</p>
            <button type="submit" className="danger inline" data-testid="cancel">
              Cancel payment
            </button>
          </form>
        </section>
      )}
    </Page>
  );
}

function Fact({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </>
  );
}

/** Refunds made through this service carry no origin today; refunds adopted from CodePay's portal say so. */
function refundOrigin(refund: object): string {
  return 'origin' in refund && typeof refund.origin === 'string' ? refund.origin : 'api';
}

import { html, mobilePage, type SafeHtml } from '../web/html';
import type { DemoOrder } from './demo-orders';

/**
 * The demo shop's two mobile (H5) pages: self-contained HTML, inline CSS, no external assets.
 * Every interpolated value is escaped by `html`; inline style and script carry the CSP nonce. `data-testid`s are stable for browser tests.
 */
const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  body { margin: 0; background: #f4f5f7; color: #1d2433; }
  main { max-width: 440px; margin: 0 auto; padding: 24px 18px 40px; }
  h1 { font-size: 1.35rem; margin: 0 0 4px; }
  p.lead { margin: 0 0 20px; color: #5b6475; }
  .card { background: #fff; border-radius: 14px; padding: 18px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  label { display: block; font-weight: 600; margin: 0 0 6px; }
  .row { display: flex; gap: 10px; margin-bottom: 16px; }
  input, select { font: inherit; font-size: 1.25rem; padding: 12px; border: 1px solid #c9cfda; border-radius: 10px; }
  input { flex: 1; min-width: 0; }
  button { width: 100%; font: inherit; font-size: 1.1rem; font-weight: 700; padding: 15px; border: 0; border-radius: 12px;
           background: #0b63f6; color: #fff; }
  .error { background: #fdecec; color: #a61b1b; border-radius: 10px; padding: 10px 12px; margin-bottom: 14px; }
  .status { font-size: 1.6rem; font-weight: 800; letter-spacing: .02em; margin: 8px 0 12px; }
  .muted { color: #5b6475; font-size: .95rem; }
  a { color: #0b63f6; }
`;

const page = (nonce: string, title: string, body: SafeHtml): string => mobilePage(nonce, title, STYLE, body);

export function shopPage(nonce: string, options: { currencies: readonly string[]; amount?: string; currency?: string; error?: string }): string {
  const selected = options.currency ?? options.currencies[0];
  return page(
    nonce,
    'Demo tea shop',
    html`<h1>Demo tea shop</h1>
<p class="lead">Pick an amount and pay with CodePay (sandbox).</p>
<form class="card" method="post" action="/demo/checkout">
  ${options.error ? html`<div class="error" role="alert" data-testid="checkout-error">${options.error}</div>` : ''}
  <label for="amount">Amount</label>
  <div class="row">
    <input id="amount" name="amount" inputmode="decimal" autocomplete="off" required value="${options.amount ?? '9.90'}" data-testid="amount-input">
    <select name="currency" aria-label="Currency" data-testid="currency-select">
      ${options.currencies.map((c) => html`<option value="${c}"${c === selected ? html` selected` : ''}>${c}</option>`)}
    </select>
  </div>
  <button type="submit" data-testid="checkout-button">Pay with CodePay</button>
</form>`,
  );
}

/**
 * Shows the shop's own order (moved only by signed webhooks) and the events it received, polling
 * the read-only status route while the order waits for its payment.
 */
export function returnPage(nonce: string, order: DemoOrder): string {
  const statusUrl = `/demo/status/${encodeURIComponent(order.merchantOrderNo)}`;
  return page(
    nonce,
    'Payment status',
    html`<h1>Thank you</h1>
<p class="lead">The shop marks your order paid when the payment service's signed <code>payment.paid</code> webhook arrives, not when the browser comes back.</p>
<div class="card">
  <div class="muted">Order ${order.merchantOrderNo} · ${order.amount} ${order.currency}</div>
  <div class="status" data-testid="payment-status" data-status-url="${statusUrl}" aria-live="polite">${order.status}</div>
  <div class="muted">Webhooks received:</div>
  <ul class="muted" data-testid="webhook-events">${order.events.map((e) => html`<li>${e.type}</li>`)}</ul>
  <a href="/demo">Back to the shop</a>
</div>
<script nonce="${nonce}">
(function () {
  // The URL comes through an attribute, which the HTML parser unescapes.
  var el = document.querySelector('[data-testid="payment-status"]');
  var list = document.querySelector('[data-testid="webhook-events"]');
  var url = el.getAttribute('data-status-url');
  var waiting = { 'pending': true, 'awaiting payment': true };
  function show(order) {
    el.textContent = order.status;
    list.replaceChildren.apply(list, order.events.map(function (e) {
      var li = document.createElement('li');
      li.textContent = e.type;
      return li;
    }));
  }
  function poll() {
    if (!waiting[el.textContent]) return;
    fetch(url, { headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (order) { if (order) show(order); })
      .catch(function () {})
      .then(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, 1000);
})();
</script>`,
  );
}

export function errorPage(nonce: string, message: string): string {
  return page(nonce, 'Payment problem', html`<h1>Something went wrong</h1><div class="card"><div class="error" data-testid="checkout-error">${message}</div><a href="/demo">Back to the shop</a></div>`);
}

import { toDecimalString } from '../codepay/money';
import { TransStatus } from '../codepay/trans-status';
import { html, mobilePage, type SafeHtml } from '../web/html';
import type { SandboxOrder } from './ledger';

/**
 * The shopper's cashier (mobile-first, no external assets). Element ids and `data-testid`s are
 * stable for headless browser tests: `pay-button`, `decline-button`, `method-<id>`, `amount`,
 * `result` (with `data-status` = trans_status).
 */
export const PAY_METHODS = ['Visa', 'Mastercard', 'Alipay+', 'WeChatPay', 'PayPay'];

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f2f4f7;color:#1d2433}
main{max-width:480px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:16px;padding:20px;box-shadow:0 1px 4px rgba(0,0,0,.08);margin-bottom:16px}
h1{font-size:1.1rem;margin:0 0 4px}.muted{color:#5b6475;margin:0}
.amount{font-size:2.2rem;font-weight:700;margin:16px 0 0}
fieldset{border:0;padding:0;margin:0}legend{font-weight:600;margin-bottom:8px}
label.method{display:flex;align-items:center;gap:12px;padding:14px;border:1px solid #d5dae3;border-radius:12px;margin-bottom:8px;font-size:1.05rem}
label.method input{width:22px;height:22px}
button{display:block;width:100%;min-height:52px;border:0;border-radius:12px;font-size:1.1rem;font-weight:600;margin-top:12px;cursor:pointer}
.pay{background:#1463ff;color:#fff}.decline{background:#e8ebf0;color:#1d2433}
.result{text-align:center}.result .icon{font-size:3rem}
a.button{display:block;text-align:center;padding:15px;border-radius:12px;background:#1463ff;color:#fff;text-decoration:none;font-weight:600}
`;

const page = (nonce: string, title: string, body: SafeHtml): string => mobilePage(nonce, title, STYLE, body);

const amountText = (order: SandboxOrder) => `${toDecimalString(order.amountMinor, order.currency)} ${order.currency}`;

export function checkoutPage(nonce: string, order: SandboxOrder, merchantName: string): string {
  const methods = order.payMethodId && !PAY_METHODS.includes(order.payMethodId) ? [order.payMethodId, ...PAY_METHODS] : PAY_METHODS;
  const selected = order.payMethodId ?? methods[0];
  return page(
    nonce,
    `Pay ${merchantName}`,
    html`<section class="card">
  <h1 id="merchant-name">${merchantName}</h1>
  <p class="muted" id="description">${order.description}</p>
  <p class="amount" id="amount" data-testid="amount">${amountText(order)}</p>
</section>
<form class="card" method="post" action="${order.cashierToken}/pay" id="pay-form">
  <fieldset>
    <legend>Payment method</legend>
    ${methods.map(
      (m) => html`<label class="method"><input type="radio" name="pay_method" value="${m}" id="method-${m}" data-testid="method-${m}"${
        m === selected ? html` checked` : ''
      }> ${m}</label>
    `,
    )}
  </fieldset>
  <button type="submit" class="pay" id="pay-button" data-testid="pay-button">Pay ${amountText(order)}</button>
</form>
<form method="post" action="${order.cashierToken}/decline" id="decline-form">
  <button type="submit" class="decline" id="decline-button" data-testid="decline-button">Decline</button>
</form>`,
  );
}

const OUTCOMES: Record<number, { icon: string; title: string }> = {
  [TransStatus.SUCCESS]: { icon: '✔', title: 'Payment successful' },
  [TransStatus.CLOSED]: { icon: '✖', title: 'Payment not completed' },
  [TransStatus.CANCELLED]: { icon: '↺', title: 'Order cancelled' },
};

export function resultPage(nonce: string, order: SandboxOrder, merchantName: string, note?: string): string {
  const outcome = OUTCOMES[order.status] ?? { icon: '…', title: 'Payment pending' };
  return page(
    nonce,
    outcome.title,
    html`<section class="card result" id="result" data-testid="result" data-status="${order.status}">
  <div class="icon" aria-hidden="true">${outcome.icon}</div>
  <h1>${outcome.title}</h1>
  <p class="muted">${merchantName} · ${amountText(order)}</p>
  ${order.errorMessage ? html`<p class="muted" id="result-reason">${order.errorMessage}</p>` : ''}
  ${note ? html`<p class="muted" id="result-note">${note}</p>` : ''}
</section>
${order.returnUrl ? html`<a class="button" id="return-link" href="${returnUrlFor(order)}">Back to ${merchantName}</a>` : ''}`,
  );
}

export function notFoundPage(nonce: string): string {
  return page(nonce, 'Unknown payment', html`<section class="card result" data-testid="result"><h1>This payment link is not valid</h1></section>`);
}

/** Where the shopper goes after the cashier: `return_url` with `merchant_order_no` added. */
export function returnUrlFor(order: SandboxOrder): string | undefined {
  if (!order.returnUrl) return undefined;
  const url = new URL(order.returnUrl);
  url.searchParams.set('merchant_order_no', order.merchantOrderNo);
  return url.toString();
}

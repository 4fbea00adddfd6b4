import { generateKeyPairSync } from 'node:crypto';
import type { WireValue } from '../../src/codepay/canonical';
import { toDecimalString } from '../../src/codepay/money';
import { TransStatus } from '../../src/codepay/trans-status';
import type { PaymentResponse } from '../../src/views/payment-response';
import type { HttpClient } from './http';
import type { Ledger, LedgerOrder } from './ledger';
import { orderNotification, refundNotification, signedWith, type GatewayIdentity } from './notifications';

/**
 * The bad-input campaign against the webhook (docs/design.md §3) and the merchant API (§4): malformed
 * and oversized bodies, wrong types, 4-byte characters, script and SQL text, foreign signatures,
 * every field tampered after signing, missing fields, and replays of real notifications for
 * payments that are already final. Every case must be answered 4xx — a replay may also be acked
 * 200 — and none may change a payment (the caller compares views before and after).
 */
export interface BadInputCase {
  name: string;
  target: 'webhook' | 'api';
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  headers: Record<string, string>;
  /** A genuine notification replayed: 200 (acked, not applied) is as right as a 4xx. */
  replay?: boolean;
}

export interface BadInputResult {
  name: string;
  target: BadInputCase['target'];
  status: number | string;
  passed: boolean;
}

export interface BadInputContext {
  apiKey: string;
  identity: GatewayIdentity;
  ledger: Ledger;
  views: Map<string, PaymentResponse | undefined>;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const SCRIPT = '<script>alert(1)</script>';
const SQL = "x' OR '1'='1'; DROP TABLE payments;--";
const EMOJI = 'pay 💸 now';
const HUGE = 'A'.repeat(3 * 1024 * 1024);

function byStatus(ledger: Ledger, status: number, extra: (o: LedgerOrder) => boolean = () => true): LedgerOrder[] {
  return ledger.orders.filter((o) => o.status === status && extra(o)).slice(0, 3);
}

/** A value different from `value` that still looks like one of its kind. */
function tampered(key: string, value: WireValue, otherOrderNo: string): WireValue {
  if (key === 'trans_status') return Number(value) === TransStatus.SUCCESS ? TransStatus.CANCELLED : TransStatus.SUCCESS;
  if (key === 'merchant_order_no') return otherOrderNo;
  if (key.endsWith('_amount')) return '0.01';
  if (key === 'price_currency') return value === 'USD' ? 'EUR' : 'USD';
  if (typeof value === 'number') return value + 1;
  return `${String(value)}1`;
}

export function webhookCases(ctx: BadInputContext): BadInputCase[] {
  const { identity, ledger } = ctx;
  const cases: BadInputCase[] = [];
  const post = (name: string, body: string, headers: Record<string, string> = JSON_TYPE, replay = false) =>
    cases.push({ name: `webhook: ${name}`, target: 'webhook', method: 'POST', path: '/webhooks/codepay', body, headers, replay });
  const postFields = (name: string, fields: Record<string, WireValue>, replay = false) => post(name, JSON.stringify(fields), JSON_TYPE, replay);

  post('malformed JSON', '{"merchant_order_no": "X", "trans_status": ');
  post('empty body', '');
  post('JSON array', '[1,2,3]');
  post('JSON null', 'null');
  post('JSON string', '"success"');
  post('nested object values', JSON.stringify({ merchant_order_no: { $ne: null }, trans_status: [2], sign: 'abc' }));
  post('huge body (3 MB)', JSON.stringify({ merchant_order_no: 'A', attach: HUGE, sign: 'abc' }));
  post('10,000 fields', JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, i]))));
  post('text/plain garbage', 'merchant_order_no=X&&&=&sign', { 'content-type': 'text/plain' });
  post('form with repeated field', 'merchant_order_no=A&merchant_order_no=B&trans_status=2&sign=abc', { 'content-type': 'application/x-www-form-urlencoded' });
  postFields('unsigned', { merchant_order_no: 'A', trans_status: 2 });
  postFields('empty sign', { merchant_order_no: 'A', trans_status: 2, sign: '' });
  postFields('garbage sign', { merchant_order_no: 'A', trans_status: 2, sign: '!!not base64!!' });
  postFields('signed, unknown order, 4-byte characters', signedWith(identity, { merchant_order_no: 'EMOJI-1', trans_status: 2, attach: EMOJI }));
  postFields('signed, 4-byte characters in the order number', signedWith(identity, { merchant_order_no: `N${EMOJI}`, trans_status: 2 }));
  postFields('signed, script in the order number', signedWith(identity, { merchant_order_no: SCRIPT, trans_status: 2 }));
  postFields('signed, SQL in the order number', signedWith(identity, { merchant_order_no: SQL, trans_status: 2 }));
  postFields('signed, missing merchant_order_no', signedWith(identity, { trans_status: 2, price_currency: 'USD', order_amount: '1.00' }));
  postFields('signed, data is not JSON', signedWith(identity, { data: '{"merchant_order_no": ' }));

  const paid = byStatus(ledger, TransStatus.SUCCESS);
  const base = paid[0] ?? ledger.orders[0];
  if (base) {
    const genuine = orderNotification(identity, base);
    const other = ledger.orders.find((o) => o.merchantOrderNo !== base.merchantOrderNo)?.merchantOrderNo ?? 'OTHER-1';
    const { sign: _sign, ...unsigned } = genuine;
    postFields('signed, missing trans_status', signedWith(identity, { ...unsigned, trans_status: undefined }));
    postFields('signed, trans_status not a number', signedWith(identity, { ...unsigned, trans_status: 'paid' }));
    postFields('signed, amount not a decimal', signedWith(identity, { ...unsigned, order_amount: '1e3', paid_amount: '-5' }));
    postFields('signed, unknown currency', signedWith(identity, { ...unsigned, price_currency: 'ZZZ' }));
    const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    postFields('signed with a foreign key', signedWith(identity, { ...unsigned, trans_status: TransStatus.CANCELLED }, foreignKey));
    for (const key of Object.keys(unsigned)) {
      postFields(`tampered after signing: ${key}`, { ...genuine, [key]: tampered(key, genuine[key], other) });
      postFields(`removed after signing: ${key}`, { ...unsigned, [key]: undefined, sign: genuine.sign });
    }
    postFields('field added after signing', { ...genuine, trans_error_code: 'X' });
    const otherGenuine = ledger.orders.find((o) => o.merchantOrderNo === other);
    if (otherGenuine) postFields("another notification's signature", { ...genuine, sign: orderNotification(identity, otherGenuine).sign });
  }

  // Genuine notifications replayed after the payment is final.
  const replays = [
    ...byStatus(ledger, TransStatus.SUCCESS, (o) => o.refunds.length > 0),
    ...byStatus(ledger, TransStatus.SUCCESS, (o) => o.refunds.length === 0),
    ...byStatus(ledger, TransStatus.CLOSED, (o) => o.notifications.length > 0),
    ...byStatus(ledger, TransStatus.CANCELLED),
  ];
  for (const order of replays) {
    // A cancelled-after-payment order was notified as paid before the cancel: replay that.
    const asSent = order.status === TransStatus.CANCELLED ? { ...order, status: TransStatus.SUCCESS } : order;
    postFields(`replay: ${order.merchantOrderNo} trans_status ${asSent.status}`, orderNotification(identity, asSent), true);
    for (const refund of order.refunds) postFields(`replay: refund ${refund.refundNo}`, refundNotification(identity, refund), true);
  }
  return cases;
}

export function apiCases(ctx: BadInputContext): BadInputCase[] {
  const cases: BadInputCase[] = [];
  const auth = { ...JSON_TYPE, authorization: `Bearer ${ctx.apiKey}` };
  const send = (name: string, method: 'GET' | 'POST', path: string, body?: string, headers: Record<string, string> = auth) =>
    cases.push({ name: `api: ${name}`, target: 'api', method, path, body, headers });
  const valid = { merchantOrderNo: 'BAD-INPUT-1', amount: '10.00', currency: 'USD', description: 'bad input' };
  const create = (name: string, patch: Record<string, unknown>) => send(name, 'POST', '/v1/payments', JSON.stringify({ ...valid, ...patch }));

  send('no API key', 'POST', '/v1/payments', JSON.stringify(valid), JSON_TYPE);
  send('wrong API key', 'POST', '/v1/payments', JSON.stringify(valid), { ...JSON_TYPE, authorization: 'Bearer sk_test_wrong' });
  send('basic auth', 'GET', '/v1/payments/X', undefined, { authorization: `Basic ${Buffer.from(`x:${ctx.apiKey}`).toString('base64')}` });
  send('malformed JSON', 'POST', '/v1/payments', '{"merchantOrderNo": "A", ');
  send('JSON array', 'POST', '/v1/payments', '[]');
  send('JSON null', 'POST', '/v1/payments', 'null');
  send('text/plain body', 'POST', '/v1/payments', JSON.stringify(valid), { ...auth, 'content-type': 'text/plain' });
  send('huge body (3 MB)', 'POST', '/v1/payments', JSON.stringify({ ...valid, description: HUGE }));
  send('deeply nested body', 'POST', '/v1/payments', `${'['.repeat(5_000)}${']'.repeat(5_000)}`);
  create('amount as a number', { amount: 10.5 });
  create('amount with too many decimals', { amount: '10.001' });
  create('amount negative', { amount: '-1.00' });
  create('amount zero', { amount: '0' });
  create('amount in exponent form', { amount: '1e3' });
  create('amount JPY with decimals', { amount: '10.5', currency: 'JPY' });
  create('amount beyond safe integers', { amount: '99999999999999999999' });
  create('currency lower case', { currency: 'usd' });
  create('currency unknown', { currency: 'ZZZ' });
  create('order number too long', { merchantOrderNo: 'A'.repeat(33) });
  create('order number with script', { merchantOrderNo: SCRIPT });
  create('order number with SQL', { merchantOrderNo: SQL });
  create('order number with 4-byte characters', { merchantOrderNo: 'A💸' });
  create('order number empty', { merchantOrderNo: '' });
  create('order number as a number', { merchantOrderNo: 12345 });
  create('description with 4-byte characters', { description: EMOJI });
  create('description too long', { description: 'd'.repeat(10_000) });
  create('description missing', { description: undefined });
  create('unknown field', { admin: true });
  create('prototype key', JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>);
  create('expiry below the minimum', { expiresInSeconds: 5 });
  create('expiry as a string', { expiresInSeconds: '60' });
  create('returnUrl javascript:', { returnUrl: 'javascript:alert(1)' });
  create('shopper IP invalid', { shopper: { ip: '999.1.1.1' } });
  create('attach with script and 4-byte characters', { attach: `${SCRIPT}${EMOJI}` });
  send('GET with script in the path', 'GET', `/v1/payments/${encodeURIComponent(SCRIPT)}`);
  send('GET with SQL in the path', 'GET', `/v1/payments/${encodeURIComponent(SQL)}`);
  send('GET with path traversal', 'GET', '/v1/payments/..%2F..%2Fetc%2Fpasswd');
  send('GET with NUL in the path', 'GET', '/v1/payments/A%00B');
  send('GET unknown payment', 'GET', '/v1/payments/NOPE-404');

  const paid = [...ctx.views.values()].find((v) => v && (v.status === 'PAID' || v.status === 'PARTIALLY_REFUNDED'));
  const final = [...ctx.views.values()].find((v) => v && (v.status === 'REFUNDED' || v.status === 'EXPIRED' || v.status === 'FAILED'));
  for (const view of [paid, final]) {
    if (!view) continue;
    const no = view.merchantOrderNo;
    const refunds = `/v1/payments/${no}/refunds`;
    send(`${view.status}: same number, other amount`, 'POST', '/v1/payments', JSON.stringify({ merchantOrderNo: no, amount: '1.00', currency: view.currency, description: view.description }));
    send(`${view.status}: refund more than refundable`, 'POST', refunds, JSON.stringify({ refundNo: `${no}-X1`, amount: toDecimalString(10 ** 12, view.currency) }));
    send(`${view.status}: refund amount not a decimal`, 'POST', refunds, JSON.stringify({ refundNo: `${no}-X2`, amount: 'abc' }));
    send(`${view.status}: refund amount negative`, 'POST', refunds, JSON.stringify({ refundNo: `${no}-X3`, amount: '-1' }));
    send(`${view.status}: refund number with SQL`, 'POST', refunds, JSON.stringify({ refundNo: SQL, amount: '0.01' }));
    send(`${view.status}: refund unknown field`, 'POST', refunds, JSON.stringify({ refundNo: `${no}-X4`, amount: '0.01', force: true }));
    if (view.status !== 'PAID') send(`${view.status}: cancel`, 'POST', `/v1/payments/${no}/cancel`);
  }
  return cases;
}

export async function runBadInput(cases: BadInputCase[], http: HttpClient, onDone?: () => void): Promise<BadInputResult[]> {
  const results: BadInputResult[] = [];
  for (const c of cases) {
    let status: number | string;
    try {
      status = (await http.request(c.method, c.path, c.body ?? undefined, { headers: c.headers, retry: false })).status;
    } catch (err) {
      status = (err as Error).message;
    }
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    results.push({ name: c.name, target: c.target, status, passed: clientError || (c.replay === true && status === 200) });
    onDone?.();
  }
  return results;
}

import { generateTestKeyPair } from '../support/keys';
import { withSignature } from '../../src/codepay/signing';
import { merchantKeys, orderNo, SandboxFixture, startFixture, wapOrderFields } from './support/sandbox-fixture';

/**
 * Every check of `POST /api/entry` answers CodePay's way — HTTP 200, a signed envelope, the code
 * in `code` and `[CODE]text` in `msg` — and a rejected request changes nothing in the ledger.
 */
describe('/api/entry checks', () => {
  let f: SandboxFixture;
  const existing = orderNo('EXIST');
  const stranger = generateTestKeyPair();

  beforeAll(async () => {
    f = await startFixture();
    expect((await f.createOrder(existing)).code).toBe('0');
  });
  afterAll(() => f.close());

  const order = (extra: Record<string, string> = {}) => wapOrderFields(orderNo('CHK'), extra);
  const json = (fields: object) => JSON.stringify(fields);
  const without = (fields: Record<string, string>, name: string) => {
    const copy = { ...fields };
    delete copy[name];
    return copy;
  };
  const signedWithout = (name: string) => json(withSignature(without(f.request('pay.unifiedorder', order()), name), merchantKeys.privateKey));
  const business = (fields: Record<string, string>, method = 'pay.unifiedorder') => json(f.request(method, fields));

  type Case = [name: string, code: string, body: () => string, contentType?: string];
  const cases: Case[] = [
    ['malformed JSON', 'SYS001', () => '{"app_id": "x",'],
    ['a JSON array', 'SYS001', () => '[1,2]'],
    ['an empty body', 'SYS001', () => ''],
    ['duplicate JSON keys', 'SYS001', () => '{"app_id":"a","app_id":"b"}'],
    ['a repeated form field', 'SYS001', () => 'app_id=a&app_id=b', 'application/x-www-form-urlencoded'],
    ...['app_id', 'merchant_no', 'method', 'sign_type', 'format', 'charset', 'version', 'timestamp'].map(
      (name): Case => [`missing ${name}`, 'SYS011', () => signedWithout(name)],
    ),
    ['missing sign', 'SYS011', () => json(without(f.request('pay.unifiedorder', order()), 'sign'))],
    ['sign_type RSA', 'SYS012', () => json(withSignature({ ...without(f.request('order.query', { merchant_order_no: existing }), 'sign'), sign_type: 'RSA' }, merchantKeys.privateKey))],
    ['version 2.0', 'SYS012', () => json(withSignature({ ...without(f.request('order.query', { merchant_order_no: existing }), 'sign'), version: '2.0' }, merchantKeys.privateKey))],
    ['a 12-digit timestamp', 'SYS012', () => json(withSignature({ ...without(f.request('order.query', { merchant_order_no: existing }), 'sign'), timestamp: String(Math.floor(f.clock.now() / 10)) }, merchantKeys.privateKey))],
    ['an app_id longer than 32', 'SYS012', () => json(withSignature({ ...without(f.request('order.query', { merchant_order_no: existing }), 'sign'), app_id: 'a'.repeat(33) }, merchantKeys.privateKey))],
    ['an unknown app_id', 'E07301', () => json(withSignature({ ...without(f.request('pay.unifiedorder', order()), 'sign'), app_id: 'other-app' }, merchantKeys.privateKey))],
    ['an unknown merchant_no', 'E07301', () => json(withSignature({ ...without(f.request('pay.unifiedorder', order()), 'sign'), merchant_no: '999' }, merchantKeys.privateKey))],
    ['a signature by another key', 'SYS002', () => json(f.request('pay.unifiedorder', order(), { key: stranger.privateKey }))],
    ['a value changed after signing', 'SYS002', () => json({ ...f.request('pay.unifiedorder', order()), order_amount: '0.01' })],
    ['a field added after signing', 'SYS002', () => json({ ...f.request('pay.unifiedorder', order()), attach: 'x' })],
    ['a sign that is not base64', 'SYS002', () => json({ ...f.request('pay.unifiedorder', order()), sign: 'not base64!' })],
    ['a timestamp 16 minutes old', 'SYS003', () => json(withSignature({ ...without(f.request('pay.unifiedorder', order()), 'sign'), timestamp: String(f.clock.now() - 16 * 60_000) }, merchantKeys.privateKey))],
    ['a timestamp 16 minutes ahead', 'SYS003', () => json(withSignature({ ...without(f.request('pay.unifiedorder', order()), 'sign'), timestamp: String(f.clock.now() + 16 * 60_000) }, merchantKeys.privateKey))],
    ['an unknown method', 'E07303', () => business({ merchant_order_no: existing }, 'order.close')],
    ['a method named like an Object property', 'E07303', () => business({ merchant_order_no: existing }, 'toString')],
    ['an emoji in description', 'E01003', () => business(order({ description: 'Coffee ☕ and cake 🍰' }))],
    ['a 4-byte character in a field name', 'E01003', () => business({ ...order(), '𝒳': 'x' })],
    ...['merchant_order_no', 'price_currency', 'order_amount', 'description', 'terminal_type', 'expires'].map(
      (name): Case => [`missing ${name}`, 'E01001', () => business(without(order(), name))],
    ),
    ['a 33-character merchant_order_no', 'E01002', () => business(order({ merchant_order_no: 'A'.repeat(33) }))],
    ['a merchant_order_no with a space', 'E01002', () => business(order({ merchant_order_no: 'A B' }))],
    ['a merchant_order_no with #', 'E01002', () => business(order({ merchant_order_no: 'A#1' }))],
    ['an unknown currency', 'E01002', () => business(order({ price_currency: 'ABC' }))],
    ['three decimals in USD', 'E01002', () => business(order({ order_amount: '12.345' }))],
    ['decimals in JPY', 'E01002', () => business(order({ price_currency: 'JPY', order_amount: '300.5' }))],
    ['a negative amount', 'E01002', () => business(order({ order_amount: '-1.00' }))],
    ['a zero amount', 'E01002', () => business(order({ order_amount: '0.00' }))],
    ['an exponent amount', 'E01002', () => business(order({ order_amount: '1e3' }))],
    ['terminal_type APP', 'E01002', () => business(order({ terminal_type: 'APP' }))],
    ['expires 0', 'E01002', () => business(order({ expires: '0' }))],
    ['expires not a number', 'E01002', () => business(order({ expires: 'soon' }))],
    ['a notify_url with a query', 'E01002', () => business(order({ notify_url: 'https://shop.example/notify?x=1' }))],
    ['a notify_url that is not http', 'E01002', () => business(order({ notify_url: 'ftp://shop.example/notify' }))],
    ['a return_url that is not a URL', 'E01002', () => business(order({ return_url: 'back to shop' }))],
    ['os_type WINDOWS', 'E01002', () => business(order({ os_type: 'WINDOWS' }))],
    ['a refund without its original', 'E01001', () => business({ merchant_order_no: orderNo('R'), order_amount: '1.00', price_currency: 'USD' }, 'order.refund.submit')],
    ['a query without a number', 'E01001', () => business({}, 'order.query')],
    ['a refund query without a number', 'E01001', () => business({}, 'order.refund.query')],
    ['a cancel without a number', 'E01001', () => business({}, 'order.revoker')],
    ['a known number with another amount', 'E04101', () => business(order({ merchant_order_no: existing, order_amount: '13.00' }))],
    ['a known number with another currency', 'E04101', () => business(order({ merchant_order_no: existing, price_currency: 'EUR' }))],
    ['a refund of an unpaid order', 'E04120', () => business({ merchant_order_no: orderNo('R'), orig_merchant_order_no: existing, order_amount: '1.00', price_currency: 'USD' }, 'order.refund.submit')],
    ['a refund of an unknown order', 'E04110', () => business({ merchant_order_no: orderNo('R'), orig_merchant_order_no: 'NOPE', order_amount: '1.00', price_currency: 'USD' }, 'order.refund.submit')],
    ['a query of an unknown order', 'E04111', () => business({ merchant_order_no: 'NOPE' }, 'order.query')],
    ['a query of an unknown trans_no', 'E04111', () => business({ trans_no: '123' }, 'order.query')],
    ['a refund query of an unknown refund', 'E04110', () => business({ merchant_order_no: 'NOPE' }, 'order.refund.query')],
    ['a cancel of an unknown order', 'E04111', () => business({ merchant_order_no: 'NOPE' }, 'order.revoker')],
  ];

  const rows = cases.map(([name, code, body, contentType = 'application/json']) => ({ name, code, body, contentType }));
  it.each(rows)('rejects $name with $code and changes nothing', async ({ code, body, contentType }) => {
    const before = await f.ledger();
    const answer = await f.postEntry(body(), contentType);
    expect(answer).toMatchObject({ httpStatus: 200, code, signatureValid: true });
    expect(answer.msg).toMatch(new RegExp(`^\\[${code}\\]\\S`));
    expect(answer.data).toBeUndefined();
    expect(await f.ledger()).toEqual(before);
  });

  it('rejects an oversized body as malformed', async () => {
    const answer = await f.postEntry(JSON.stringify({ filler: 'x'.repeat(300_000) }));
    expect(answer).toMatchObject({ httpStatus: 200, code: 'SYS001', signatureValid: true });
  });

  it('accepts timestamps just inside the 15-minute window', async () => {
    for (const skew of [-14 * 60_000, 14 * 60_000]) {
      const fields = withSignature({ ...without(f.request('order.query', { merchant_order_no: existing }), 'sign'), timestamp: String(f.clock.now() + skew) }, merchantKeys.privateKey);
      expect((await f.postEntry(json(fields))).code).toBe('0');
    }
  });

  it('accepts form-encoded bodies and the /api/entry/<suffix> path', async () => {
    const no = orderNo('FORM');
    const form = new URLSearchParams(f.request('pay.unifiedorder', order({ merchant_order_no: no, description: 'Café crème & tea' }))).toString();
    const answer = await f.postEntry(form, 'application/x-www-form-urlencoded', '/api/entry/pay');
    expect(answer).toMatchObject({ code: '0', signatureValid: true });
    expect((await f.order(no)).description).toBe('Café crème & tea');
  });

  it('verifies the signature over raw values: a JSON number 12.40 is signed as "12.40"', async () => {
    const no = orderNo('RAW');
    const body = json(f.request('pay.unifiedorder', order({ merchant_order_no: no, order_amount: '12.40' }))).replace('"order_amount":"12.40"', '"order_amount":12.40');
    expect(body).toContain('"order_amount":12.40');
    expect(await f.postEntry(body)).toMatchObject({ code: '0', signatureValid: true });
    expect((await f.order(no)).amountMinor).toBe(1240);
  });

  it('takes amounts in the currency’s own digits (JPY 0, KWD 3)', async () => {
    const jpy = orderNo('JPY');
    const kwd = orderNo('KWD');
    expect((await f.createOrder(jpy, { price_currency: 'JPY', order_amount: '300' })).code).toBe('0');
    expect((await f.createOrder(kwd, { price_currency: 'KWD', order_amount: '1.234' })).code).toBe('0');
    expect(await f.order(jpy)).toMatchObject({ amount: '300', amountMinor: 300 });
    expect(await f.order(kwd)).toMatchObject({ amount: '1.234', amountMinor: 1234 });
  });

  it('accepts the merchant order number alphabet (letters, digits, _ - * @) up to 32', async () => {
    const no = `Ab9_-*@${orderNo('')}`.slice(0, 32).padEnd(32, 'z');
    expect((await f.createOrder(no)).code).toBe('0');
  });
});

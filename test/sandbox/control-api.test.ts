import { createPublicKey } from 'node:crypto';
import { gatewayKeys, orderNo, startFixture } from './support/sandbox-fixture';

type Fixture = Awaited<ReturnType<typeof startFixture>>;

describe('sandbox control API', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());

  it('GET /sandbox/keys gives the gateway public key as PEM', async () => {
    const { body } = await f.control<{ gatewayPublicKey: string }>('GET', '/sandbox/keys');
    expect(body.gatewayPublicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(createPublicKey(body.gatewayPublicKey).equals(gatewayKeys.publicKey)).toBe(true);
  });

  it('pays with an optional payMethodId and answers the record', async () => {
    const no = orderNo('K');
    await f.createOrder(no);
    const paid = await f.pay(no, 'PayPay');
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ merchantOrderNo: no, status: 2, paidMethodId: 'PayPay', amount: '12.50', amountMinor: 1250 });
  });

  it('declines (status 1)', async () => {
    const no = orderNo('K');
    await f.createOrder(no);
    const declined = await f.control('POST', `/sandbox/orders/${no}/decline`);
    expect(declined).toMatchObject({ status: 200, body: { status: 1, errorCode: 'PAYMENT_DECLINED' } });
  });

  it('answers 409 problem JSON for pay or decline on an order that is no longer open', async () => {
    const no = orderNo('K');
    await f.createOrder(no);
    await f.control('POST', `/sandbox/orders/${no}/decline`);
    for (const action of ['pay', 'decline']) {
      const answer = await f.control<{ type: string; title: string; status: number }>('POST', `/sandbox/orders/${no}/${action}`);
      expect(answer.status).toBe(409);
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({ status: 409, type: expect.stringContaining('not-payable') });
    }
  });

  it('answers 404 for unknown orders and 400 for a bad pay body', async () => {
    expect((await f.control('GET', '/sandbox/orders/NOPE')).status).toBe(404);
    expect((await f.control('POST', '/sandbox/orders/NOPE/pay')).status).toBe(404);
    const no = orderNo('K');
    await f.createOrder(no);
    const bad = await f.control('POST', `/sandbox/orders/${no}/pay`, { payMethodId: 7 });
    expect(bad.status).toBe(400);
    expect((await f.order(no)).status).toBe(9);
    const malformed = await fetch(`${f.url}/sandbox/orders/${no}/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).not.toMatch(/at .*\.js/);
  });

  it('GET /sandbox/ledger lists every order and refund with amounts as decimals and minor units', async () => {
    const no = orderNo('K');
    await f.createOrder(no, { price_currency: 'JPY', order_amount: '1500' });
    await f.pay(no);
    const refundNo = orderNo('RF');
    await f.call('order.refund.submit', { merchant_order_no: refundNo, orig_merchant_order_no: no, order_amount: '500', price_currency: 'JPY' });
    const { orders, refunds } = await f.ledger();
    expect(orders.find((o) => o.merchantOrderNo === no)).toMatchObject({ currency: 'JPY', amount: '1500', amountMinor: 1500, paidAmount: '1500' });
    expect(refunds.find((r) => r.refundNo === refundNo)).toMatchObject({ origMerchantOrderNo: no, amount: '500', amountMinor: 500 });
    expect((await f.order(no)).refunds.map((r) => r.refundNo)).toEqual([refundNo]);
  });

  it('refuses writes from another origin (a web page posting a simple form or fetch), keeps same-origin and non-browser callers', async () => {
    const no = orderNo('K');
    await f.createOrder(no);
    // What a page on another site can send without a CORS preflight: a form-encoded or text/plain POST.
    // Another port of the same host is another origin too.
    for (const origin of ['http://evil.example', 'null', `http://${new URL(f.url).hostname}:1`]) {
      const simple = await fetch(`${f.url}/sandbox/orders/${no}/pay`, { method: 'POST', headers: { origin, 'content-type': 'text/plain' }, body: '{}' });
      expect({ origin, status: simple.status }).toEqual({ origin, status: 403 });
      expect(simple.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const faults = await fetch(`${f.url}/sandbox/faults`, { method: 'PUT', headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{"errorRate":1}' });
    expect(faults.status).toBe(403);
    expect((await f.control<{ errorRate: number }>('GET', '/sandbox/faults')).body.errorRate).toBe(0);
    expect((await f.order(no)).status).toBe(9);
    // The sandbox's own pages, and tools that send no Origin (curl, tests), still work.
    const own = await fetch(`${f.url}/sandbox/orders/${no}/pay`, { method: 'POST', headers: { origin: f.url } });
    expect(own.status).toBe(200);
    const other = orderNo('K');
    await f.createOrder(other);
    expect((await fetch(`${f.url}/sandbox/orders/${other}/decline`, { method: 'POST' })).status).toBe(200);
  });

  it('answers unknown routes with a 404 problem, not an HTML stack', async () => {
    const answer = await f.control('GET', '/nothing-here');
    expect(answer.status).toBe(404);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
  });
});

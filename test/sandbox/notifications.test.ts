import { parseFlatJson } from '../../src/codepay/flat-json';
import { parseNotification } from '../../src/codepay/notification';
import { verifyFields } from '../../src/codepay/signing';
import { RETRY_DELAYS_SECONDS } from '../../src/sandbox/notifier';
import { waitFor } from '../harness/wait-for';
import { gatewayKeys, MERCHANT, orderNo, startFixture } from './support/sandbox-fixture';
import { startReceiver } from './support/receiver';

type Fixture = Awaited<ReturnType<typeof startFixture>>;

describe('sandbox notifications', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ notifyTimeScale: 0.00001 });
  });
  afterAll(() => f.close());

  const outcomes = (attempts: { outcome: string }[]) => attempts.map((a) => a.outcome);

  it('posts a signed flat JSON notification when an order is paid, and stops on `success`', async () => {
    const receiver = await startReceiver();
    try {
      const no = orderNo('N');
      await f.createOrder(no, { notify_url: receiver.url, attach: 'cart-1' });
      await f.pay(no, 'Alipay+');
      const record = await waitFor(() => f.order(no), (o) => o.notifications.length === 1);
      expect(record.notifications[0]).toMatchObject({ attempt: 1, outcome: 'acked', httpStatus: 200 });

      const [delivery] = receiver.received;
      expect(delivery!.contentType).toMatch(/^application\/json/);
      const fields = parseFlatJson(delivery!.body);
      expect(verifyFields(fields, gatewayKeys.publicKey)).toBe(true);
      expect(fields).toMatchObject({
        merchant_order_no: no,
        trans_no: record.transNo,
        trans_status: '2',
        trans_type: '1',
        order_amount: '12.50',
        paid_amount: '12.50',
        price_currency: 'USD',
        attach: 'cart-1',
        pay_method_id: 'Alipay+',
        app_id: MERCHANT.appId,
        merchant_no: MERCHANT.merchantNo,
        sign_type: 'RSA2',
      });
      expect(fields.trans_end_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

      const parsed = parseNotification(delivery!.body, delivery!.contentType, [gatewayKeys.publicKey]);
      expect(parsed).toMatchObject({ ok: true, notification: { kind: 'payment', fact: { merchantOrderNo: no, transStatus: 2, paidAmountMinor: 1250 } } });
    } finally {
      await receiver.close();
    }
  });

  it('retries until the receiver answers 200 `success` (trimmed), recording every attempt', async () => {
    const answers = [
      { status: 500, body: 'oops' },
      { status: 200, body: 'ok' },
      { status: 200, body: 'SUCCESS' },
      { status: 202, body: 'success' },
      { status: 200, body: '  success\n' },
    ];
    const receiver = await startReceiver((n) => answers[n - 1] ?? { status: 200, body: 'success' });
    try {
      const no = orderNo('N');
      await f.createOrder(no, { notify_url: receiver.url });
      await f.pay(no);
      const record = await waitFor(() => f.order(no), (o) => o.notifications.some((a) => a.outcome === 'acked'));
      expect(outcomes(record.notifications)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'acked']);
      expect(record.notifications.map((a) => a.httpStatus)).toEqual([500, 200, 200, 202, 200]);
      expect(record.notifications.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5]);
      expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);

      // Stops on ack: a later notification (a refund) arrives, the payment's is not sent again.
      await f.refund(orderNo('RF'), no, '1.00');
      await waitFor(() => Promise.resolve(receiver.received.length), (n) => n === 6);
      expect(JSON.parse(receiver.received[5]!.body)).toMatchObject({ trans_type: '2' });
      expect((await f.order(no)).notifications).toHaveLength(5);
    } finally {
      await receiver.close();
    }
  });

  it("gives up after CodePay's 15 attempts (5 s, 10 s, … 3 h ×3, scaled)", async () => {
    expect(RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0)).toBe(39_600);
    const receiver = await startReceiver(() => ({ status: 503, body: 'down' }));
    try {
      const no = orderNo('N');
      await f.createOrder(no, { notify_url: receiver.url });
      await f.pay(no);
      const record = await waitFor(() => f.order(no), (o) => o.notifications.length === 15, { timeoutMs: 30_000 });
      expect(record.notifications.every((a) => a.outcome === 'rejected' && a.httpStatus === 503)).toBe(true);
      // A refund's notification comes later; the payment's attempts stay at 15.
      await f.refund(orderNo('RF'), no, '1.00');
      await waitFor(() => Promise.resolve(receiver.received.length), (n) => n >= 16);
      expect((await f.order(no)).notifications).toHaveLength(15);
    } finally {
      await receiver.close();
    }
  });

  it('records an unreachable receiver as failed and keeps retrying', async () => {
    const receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close();
    const no = orderNo('N');
    await f.createOrder(no, { notify_url: url });
    await f.pay(no);
    const record = await waitFor(() => f.order(no), (o) => o.notifications.length >= 2);
    expect(record.notifications[0]).toMatchObject({ outcome: 'failed' });
    expect(record.notifications[0]!.error).toBeTruthy();
  });

  it('notifies a declined payment with status 1 and its error fields', async () => {
    const receiver = await startReceiver();
    try {
      const no = orderNo('N');
      await f.createOrder(no, { notify_url: receiver.url });
      expect((await f.control('POST', `/sandbox/orders/${no}/decline`)).status).toBe(200);
      await waitFor(() => Promise.resolve(receiver.received.length), (n) => n === 1);
      const fields = JSON.parse(receiver.received[0]!.body) as Record<string, string>;
      expect(fields).toMatchObject({ merchant_order_no: no, trans_status: '1', trans_error_code: 'PAYMENT_DECLINED' });
      expect(fields.trans_error_msg).toBeTruthy();
      expect(fields.paid_amount).toBeUndefined();
    } finally {
      await receiver.close();
    }
  });

  it("notifies a completed refund with its original, at the refund's notify_url or else the order's", async () => {
    const orderReceiver = await startReceiver();
    const refundReceiver = await startReceiver();
    try {
      const no = orderNo('N');
      await f.createOrder(no, { notify_url: orderReceiver.url });
      await f.pay(no);
      const viaOrder = orderNo('RF');
      const viaOwn = orderNo('RF');
      await f.refund(viaOrder, no, '2.00');
      await f.refund(viaOwn, no, '3.00', { notify_url: refundReceiver.url });
      await waitFor(() => f.ledger(), (l) => l.refunds.filter((r) => r.origMerchantOrderNo === no && r.notifications.length > 0).length === 2);
      const refundBodies = orderReceiver.received.map((r) => JSON.parse(r.body) as Record<string, string>).filter((b) => b.trans_type === '2');
      expect(refundBodies).toEqual([expect.objectContaining({ merchant_order_no: viaOrder, orig_merchant_order_no: no, trans_status: '2', trans_amount: '2.00', order_amount: '12.50' })]);
      expect(refundReceiver.received).toHaveLength(1);
      const own = refundReceiver.received[0]!;
      expect(parseNotification(own.body, own.contentType, [gatewayKeys.publicKey])).toMatchObject({
        ok: true,
        notification: { kind: 'refund', fact: { refundNo: viaOwn, origMerchantOrderNo: no, transStatus: 2, amountMinor: 300 } },
      });
    } finally {
      await orderReceiver.close();
      await refundReceiver.close();
    }
  });

  it('sends nothing for an order without notify_url', async () => {
    const no = orderNo('N');
    await f.createOrder(no);
    await f.pay(no);
    expect((await f.order(no)).notifications).toEqual([]);
  });
});

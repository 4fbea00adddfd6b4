import { waitFor } from '../harness/wait-for';
import { orderNo, startFixture } from './support/sandbox-fixture';

type Fixture = Awaited<ReturnType<typeof startFixture>>;

describe('sandbox orders and refunds', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());
  afterEach(() => f.setFaults({ refundDelayMs: 0, autoPayAfterMs: 0 }));

  const query = (no: string) => f.call('order.query', { merchant_order_no: no });
  const queryRefund = (no: string) => f.call('order.refund.query', { merchant_order_no: no });
  const cancel = (no: string) => f.call('order.revoker', { merchant_order_no: no });
  const paidOrder = async (amount = '12.50') => {
    const no = orderNo('PAID');
    expect((await f.createOrder(no, { order_amount: amount })).code).toBe('0');
    expect((await f.pay(no)).status).toBe(200);
    return no;
  };

  it('creates an order with a cashier URL, answers it in queries, and pays it', async () => {
    const no = orderNo();
    const created = await f.createOrder(no, { attach: 'cart-7', pay_method_id: 'WeChatPay' });
    expect(created).toMatchObject({ code: '0', msg: 'Success', signatureValid: true });
    expect(created.data).toMatchObject({ merchant_order_no: no, price_currency: 'USD', trans_amount: '12.50' });
    expect(created.data!.pay_url).toMatch(new RegExp(`^${f.url.replace('localhost', 'localhost')}/cashier/[A-Za-z0-9_-]{20,}$`));

    const open = await query(no);
    expect(open.data).toMatchObject({ merchant_order_no: no, trans_status: '9', order_amount: '12.50', price_currency: 'USD', attach: 'cart-7', trans_type: '1' });
    expect(open.data!.trans_no).toMatch(/^\d{20}$/);
    expect(open.data!.paid_amount).toBeUndefined();

    const paid = await f.pay(no);
    expect(paid.body).toMatchObject({ status: 2, paidAmount: '12.50', paidAmountMinor: 1250, paidMethodId: 'WeChatPay' });
    const after = await query(no);
    expect(after.data).toMatchObject({ trans_status: '2', paid_amount: '12.50', pay_method_id: 'WeChatPay', trans_no: open.data!.trans_no });
    expect(after.data!.trans_end_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(after.data!.pay_channel_trans_no).toBeDefined();

    const byTransNo = await f.call('order.query', { trans_no: open.data!.trans_no! });
    expect(byTransNo.data).toMatchObject({ merchant_order_no: no, trans_status: '2' });
  });

  it('answers a re-submitted open order with the same pay_url and keeps one order', async () => {
    const no = orderNo();
    const first = await f.createOrder(no);
    const again = await f.createOrder(no, { description: 'retried' });
    expect(again.code).toBe('0');
    expect(again.data!.pay_url).toBe(first.data!.pay_url);
    expect((await f.ledger()).orders.filter((o) => o.merchantOrderNo === no)).toHaveLength(1);
  });

  it('refuses a number that is already final, and a refund number as an order number', async () => {
    const no = await paidOrder();
    expect((await f.createOrder(no)).code).toBe('E04101');
    const refundNo = orderNo('RF');
    expect((await f.refund(refundNo, no, '1.00')).code).toBe('0');
    expect((await f.createOrder(refundNo)).code).toBe('E04101');
    expect((await f.refund(orderNo('RF'), no, '1.00', { merchant_order_no: no })).code).toBe('E04101');
  });

  it('closes an unpaid order on cancel (status 1), idempotently', async () => {
    const no = orderNo();
    await f.createOrder(no);
    expect((await cancel(no)).code).toBe('0');
    expect((await query(no)).data).toMatchObject({ trans_status: '1', trans_error_code: 'ORDER_CLOSED' });
    expect((await cancel(no)).code).toBe('0');
    expect((await f.pay(no)).status).toBe(409);
  });

  it('cancels a paid order (status 3) and refunds the shopper the rest, recorded', async () => {
    const no = await paidOrder('20.00');
    await f.refund(orderNo('RF'), no, '5.00');
    await waitFor(() => f.order(no), (o) => o.refundedAmountMinor === 500);
    expect((await cancel(no)).code).toBe('0');
    expect(await f.order(no)).toMatchObject({ status: 3, cancelRefundAmount: '15.00', cancelRefundAmountMinor: 1500, paidAmountMinor: 2000 });
    expect((await query(no)).data).toMatchObject({ trans_status: '3', paid_amount: '20.00' });
    expect((await cancel(no)).code).toBe('0');
    expect((await f.refund(orderNo('RF'), no, '1.00')).code).toBe('E04120');
  });

  it('refuses to cancel a fully refunded order', async () => {
    const no = await paidOrder('3.00');
    await f.refund(orderNo('RF'), no, '3.00');
    const before = await f.ledger();
    expect((await cancel(no)).code).toBe('E04102');
    expect(await f.ledger()).toEqual(before);
  });

  it('completes refunds asynchronously: status 0, then 2 after refundDelayMs', async () => {
    await f.setFaults({ refundDelayMs: 300 });
    const no = await paidOrder();
    const refundNo = orderNo('RF');
    const submitted = await f.refund(refundNo, no, '2.50', { description: 'one coffee' });
    expect(submitted.data).toMatchObject({ merchant_order_no: refundNo, orig_merchant_order_no: no, trans_status: '0', trans_amount: '2.50', order_amount: '12.50', trans_type: '2' });
    expect((await queryRefund(refundNo)).data).toMatchObject({ trans_status: '0' });
    const done = await waitFor(() => queryRefund(refundNo), (a) => a.data?.trans_status === '2');
    expect(done.data).toMatchObject({ trans_no: submitted.data!.trans_no, orig_trans_no: (await query(no)).data!.trans_no, price_currency: 'USD' });
    expect(done.data!.trans_end_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await f.order(no)).toMatchObject({ refundedAmount: '2.50', refundedAmountMinor: 250 });
    expect((await f.call('order.refund.query', { trans_no: submitted.data!.trans_no! })).data).toMatchObject({ merchant_order_no: refundNo });
  });

  it('never refunds more than was paid, counting refunds still in flight', async () => {
    await f.setFaults({ refundDelayMs: 60_000 });
    const no = await paidOrder('12.50');
    expect((await f.refund(orderNo('RF'), no, '5.00')).code).toBe('0');
    expect((await f.refund(orderNo('RF'), no, '7.50')).code).toBe('0');
    const before = await f.ledger();
    expect((await f.refund(orderNo('RF'), no, '0.01')).code).toBe('E04126');
    expect(await f.ledger()).toEqual(before);
  });

  it('allows at most 10 refunds per payment', async () => {
    const no = await paidOrder('100.00');
    for (let i = 0; i < 10; i++) expect((await f.refund(orderNo('RF'), no, '1.00')).code).toBe('0');
    expect((await f.refund(orderNo('RF'), no, '1.00')).code).toBe('E04128');
    expect((await f.order(no)).refunds).toHaveLength(10);
  });

  it('answers a re-submitted refund number with that refund; another amount is refused', async () => {
    const no = await paidOrder();
    const refundNo = orderNo('RF');
    const first = await f.refund(refundNo, no, '4.00');
    const again = await f.refund(refundNo, no, '4.00');
    expect(again.code).toBe('0');
    expect(again.data!.trans_no).toBe(first.data!.trans_no);
    expect((await f.refund(refundNo, no, '4.01')).code).toBe('E04101');
    expect((await f.order(no)).refunds).toHaveLength(1);
  });

  it('refuses a refund in another currency', async () => {
    const no = await paidOrder();
    expect((await f.refund(orderNo('RF'), no, '1.00', { price_currency: 'EUR' })).code).toBe('E04133');
  });

  it('finds the original payment by orig_trans_no too', async () => {
    const no = await paidOrder();
    const transNo = (await query(no)).data!.trans_no!;
    const answer = await f.call('order.refund.submit', { merchant_order_no: orderNo('RF'), orig_trans_no: transNo, order_amount: '1.00', price_currency: 'USD' });
    expect(answer.data).toMatchObject({ orig_merchant_order_no: no });
  });

  it('closes an unpaid order itself when `expires` has passed (ORDER_EXPIRED)', async () => {
    const no = orderNo('EXP');
    await f.createOrder(no, { expires: '60' });
    f.advance(61_000);
    const expired = await query(no);
    expect(expired.data).toMatchObject({ trans_status: '1', trans_error_code: 'ORDER_EXPIRED' });
    const record = await f.order(no);
    expect(record.endTime).toBe(record.expiresAt);
    expect((await f.pay(no)).status).toBe(409);
    expect((await f.createOrder(no)).code).toBe('E04101');
    expect((await cancel(no)).code).toBe('0');
  });
});

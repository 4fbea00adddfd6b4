import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '../harness/wait-for';
import { startReceiver } from './support/receiver';
import { orderNo, startFixture } from './support/sandbox-fixture';

type Fixture = Awaited<ReturnType<typeof startFixture>>;

/**
 * The gateway's back office (docs/design.md §5): a refund made in CodePay's merchant portal and an
 * override of an order's record, both outside the merchant's API calls and both kept in the books.
 */
describe('sandbox portal refunds and overrides', () => {
  const booksFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'sandbox-back-office-')), 'books.jsonl');
  let running: Fixture[] = [];
  const start = async (file: string) => {
    const f = await startFixture({ booksFile: file });
    running.push(f);
    return f;
  };
  afterEach(async () => {
    await Promise.all(running.map((f) => f.close()));
    running = [];
  });

  it('refunds a paid order under a refund number of its own, notifies the order, and keeps it across a restart', async () => {
    const receiver = await startReceiver();
    try {
      const file = booksFile();
      const f = await start(file);
      const no = orderNo('PORTAL');
      await f.createOrder(no, { notify_url: receiver.url });
      await f.pay(no);
      await waitFor(() => Promise.resolve(receiver.received.length), (n) => n === 1);

      const answer = await f.control<{ refunds: { refundNo: string; amount: string; status: number }[] }>('POST', `/sandbox/orders/${no}/portal-refunds`, { amount: '3.00' });
      expect(answer.status).toBe(200);
      const [refund] = answer.body.refunds;
      expect(refund!.refundNo).toMatch(/^PR\d+1$/);
      expect(refund!.amount).toBe('3.00');

      await waitFor(() => Promise.resolve(receiver.received.length), (n) => n === 2);
      expect(JSON.parse(receiver.received[1]!.body)).toMatchObject({ merchant_order_no: refund!.refundNo, orig_merchant_order_no: no, trans_status: '2', trans_type: '2' });
      expect((await f.order(no)).refundedAmount).toBe('3.00');

      const second = await f.control<{ refunds: { refundNo: string }[] }>('POST', `/sandbox/orders/${no}/portal-refunds`, { amount: '1.00' });
      expect(second.body.refunds.map((r) => r.refundNo)).toEqual([refund!.refundNo, expect.stringMatching(/^PR\d+2$/)]);
      await waitFor(() => f.order(no), (o) => o.refundedAmount === '4.00');
      await f.close();

      const after = await start(file);
      expect((await after.order(no)).refundedAmount).toBe('4.00');
      const refused = await after.control<{ code: string }>('POST', `/sandbox/orders/${no}/portal-refunds`, { amount: '9.00' });
      expect(refused).toMatchObject({ status: 409, body: { code: 'E04126' } });
    } finally {
      await receiver.close();
    }
  });

  it('overrides the status and paid amount without a notification, and keeps it across a restart', async () => {
    const receiver = await startReceiver();
    try {
      const file = booksFile();
      const f = await start(file);
      const no = orderNo('OVR');
      await f.createOrder(no, { notify_url: receiver.url });
      await f.pay(no);
      await waitFor(() => Promise.resolve(receiver.received.length), (n) => n === 1);

      const overridden = await f.control<{ status: number; paidAmount: string }>('POST', `/sandbox/orders/${no}/override`, { transStatus: 3, paidAmount: '12.00' });
      expect(overridden).toMatchObject({ status: 200, body: { status: 3, paidAmount: '12.00' } });
      const queried = await f.call('order.query', { merchant_order_no: no });
      expect(queried.data).toMatchObject({ trans_status: '3', paid_amount: '12.00' });
      await f.close();

      const after = await start(file);
      expect(await after.order(no)).toMatchObject({ status: 3, paidAmount: '12.00' });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('answers 400 for a bad body and 404 for an unknown order', async () => {
    const f = await start(booksFile());
    const no = orderNo('BAD');
    await f.createOrder(no);
    expect((await f.control('POST', `/sandbox/orders/${no}/override`, { transStatus: 'paid' })).status).toBe(400);
    expect((await f.control('POST', `/sandbox/orders/${no}/portal-refunds`, { amount: '1.001' })).status).toBe(400);
    expect((await f.control('POST', `/sandbox/orders/${no}/portal-refunds`, { amount: '0' })).status).toBe(409);
    expect((await f.control('POST', '/sandbox/orders/NOPE/override', { transStatus: 3 })).status).toBe(404);
    expect((await f.order(no)).status).toBe(9);
  });
});

import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JournalError } from '../../src/sandbox/journal';
import { waitFor } from '../harness/wait-for';
import { startReceiver } from './support/receiver';
import { orderNo, startFixture } from './support/sandbox-fixture';

type Fixture = Awaited<ReturnType<typeof startFixture>>;

/**
 * The sandbox keeps its books in a journal (src/sandbox/journal.ts): a sandbox started on the same
 * file takes back every order and refund and resumes what was pending — notification retries,
 * refund completion — with the same clock.
 */
describe('sandbox books across a restart', () => {
  let offset = 0;
  const now = () => Date.now() + offset;
  const newBooksFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'sandbox-books-')), 'sandbox', 'books.jsonl');
  const start = (booksFile: string) => startFixture({ booksFile, now, notifyTimeScale: 1, publicUrl: 'http://sandbox.test' });
  let running: Fixture[] = [];
  const track = async (fixture: Promise<Fixture>) => {
    const f = await fixture;
    running.push(f);
    return f;
  };
  afterEach(async () => {
    await Promise.all(running.map((f) => f.close()));
    running = [];
    offset = 0;
  });

  it('keeps orders and refunds, resumes pending notifications and refunds, and lets an open order be paid', async () => {
    // The first delivery attempt is refused; the retry is due 5 s later, after the restart.
    const receiver = await startReceiver((n) => (n === 1 ? { status: 500, body: 'busy' } : { status: 200, body: 'success' }));
    try {
      const booksFile = newBooksFile();
      const before = await track(start(booksFile));
      const open = orderNo('OPEN');
      expect((await before.createOrder(open, { notify_url: receiver.url })).code).toBe('0');
      const notified = orderNo('NOTE');
      await before.createOrder(notified, { notify_url: receiver.url });
      await before.pay(notified);
      await waitFor(() => before.order(notified), (o) => o.notifications.length === 1);
      const refunded = orderNo('REF');
      await before.createOrder(refunded);
      await before.pay(refunded);
      await before.setFaults({ refundDelayMs: 60_000 });
      const refundNo = orderNo('RF');
      expect((await before.refund(refundNo, refunded, '2.50')).data).toMatchObject({ trans_status: '0' });
      const ledger = await before.ledger();
      await before.close();

      offset = 61_000; // past the notification retry (5 s) and the refund completion (60 s)
      const after = await track(start(booksFile));
      const openAfter = await after.order(open);
      expect(openAfter).toEqual(ledger.orders.find((o) => o.merchantOrderNo === open));
      expect((await fetch(openAfter.payUrl.replace('http://sandbox.test', after.url))).status).toBe(200);

      const resumed = await waitFor(() => after.order(notified), (o) => o.notifications.length === 2);
      expect(resumed.notifications.map((a) => [a.attempt, a.outcome])).toEqual([
        [1, 'rejected'],
        [2, 'acked'],
      ]);
      // The retry carries the same fields as the first attempt (signed afresh).
      const unsigned = (body: string) => ({ ...(JSON.parse(body) as object), sign: undefined });
      expect(receiver.received.map((r) => unsigned(r.body))).toEqual([unsigned(receiver.received[0]!.body), unsigned(receiver.received[0]!.body)]);
      expect(JSON.parse(receiver.received[1]!.body)).toMatchObject({ merchant_order_no: notified, trans_status: '2' });

      await waitFor(() => after.order(refunded), (o) => o.refundedAmount === '2.50');

      expect((await after.pay(open)).status).toBe(200);
      await waitFor(() => Promise.resolve(receiver.received.length), (n) => n === 3);
      expect(JSON.parse(receiver.received[2]!.body)).toMatchObject({ merchant_order_no: open, trans_status: '2', paid_amount: '12.50' });

      const fresh = orderNo('NEW');
      await after.createOrder(fresh);
      const transNos = (await after.ledger()).orders.map((o) => o.transNo).concat((await after.ledger()).refunds.map((r) => r.transNo));
      expect(new Set(transNos).size).toBe(transNos.length);
    } finally {
      await receiver.close();
    }
  });

  it('resumes the auto-pay fault of an order created before the restart', async () => {
    const booksFile = newBooksFile();
    const before = await track(start(booksFile));
    await before.setFaults({ autoPayAfterMs: 30_000 });
    const no = orderNo('AUTO');
    await before.createOrder(no);
    await before.close();

    offset = 31_000;
    const after = await track(start(booksFile));
    expect((await after.setFaults({})).autoPayAfterMs).toBe(0);
    await waitFor(() => after.order(no), (o) => o.status === 2);
  });

  it('drops a line torn by a crash during a write, and compacts the journal', async () => {
    const booksFile = newBooksFile();
    const before = await track(start(booksFile));
    const no = orderNo('TORN');
    await before.createOrder(no);
    await before.close();
    appendFileSync(booksFile, '{"order":{"appId":"app-te');

    const after = await track(start(booksFile));
    expect((await after.order(no)).status).toBe(9);
    const lines = readFileSync(booksFile, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => Object.keys(JSON.parse(line) as object))).toEqual([['order']]);
    // Only what the books need: no merchant key object, no request-only fields.
    expect(lines[0]).not.toMatch(/publicKey|expiresInSeconds/);
  });

  it('refuses to start on a journal line that is not a record, rather than forget books', async () => {
    const booksFile = newBooksFile();
    const first = await track(start(booksFile));
    await first.createOrder(orderNo('BAD'));
    await first.close();
    writeFileSync(booksFile, `${readFileSync(booksFile, 'utf8')}{"order":{"appId":1}}\n`);
    const failure = start(booksFile);
    await expect(failure).rejects.toThrow(JournalError);
    await expect(failure).rejects.toThrow(/line 2 is not a sandbox record/);
  });
});

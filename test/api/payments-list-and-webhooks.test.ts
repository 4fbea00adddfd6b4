import type { PaymentList } from '../../src/api/payments-list';
import type { PaymentResponse } from '../../src/views/payment-response';
import type { Problem } from '../../src/api/problem';
import type { WebhookDeliveryView } from '../../src/workflows/messages';
import { waitFor } from '../harness/wait-for';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { type ApiStack, orderNo, startApiStack } from './support/api-stack';
import { openApiValidator } from './support/openapi-validator';

const PROBLEM = 'urn:codepay-temporal:problem:';

describe('payments list and merchant webhooks through the API (real dev server, worker, sandbox)', () => {
  let stack: ApiStack;
  let receiver: WebhookReceiver;
  let down = false;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(() => (down ? 500 : 204));
    stack = await startApiStack({ merchantWebhooks: { url: receiver.url, secrets: [receiver.secret], retryScheduleMs: [100, 100] } });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  }, 30_000);
  const schema = openApiValidator();

  const currency = 'JPY';
  const create = async (no: string) => {
    const answer = await stack.api('POST', '/v1/payments', { merchantOrderNo: no, amount: '300', currency, description: 'Matcha' });
    expect(answer.status).toBe(201);
  };
  const view = async (no: string) => (await stack.api<PaymentResponse & { webhooks: WebhookDeliveryView[] }>('GET', `/v1/payments/${no}`)).body;
  const list = (query: string) => stack.api<PaymentList>('GET', `/v1/payments?${query}`);

  it('finds payments by status and currency, page by page with an opaque cursor', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const paid = [orderNo('LP'), orderNo('LP'), orderNo('LP')];
    const unpaid = orderNo('LU');
    for (const no of [...paid, unpaid]) await create(no);
    for (const no of paid) expect((await stack.sandbox('POST', `/sandbox/orders/${no}/pay`)).status).toBe(200);
    for (const no of paid) await waitFor(() => view(no), (p) => p.status === 'PAID');

    const query = `status=PAID&currency=${currency}&createdAfter=${encodeURIComponent(since)}&limit=2`;
    // Visibility is eventually consistent: wait until every paid payment is listed.
    const collect = async () => {
      const seen: string[] = [];
      const pages: PaymentList[] = [];
      let cursor: string | null = null;
      do {
        const answer: { status: number; body: PaymentList } = await list(cursor ? `${query}&cursor=${encodeURIComponent(cursor)}` : query);
        expect(answer.status).toBe(200);
        expect(schema.errors('PaymentList', answer.body)).toEqual([]);
        pages.push(answer.body);
        seen.push(...answer.body.data.map((p) => p.merchantOrderNo));
        cursor = answer.body.nextCursor;
      } while (cursor);
      return { seen, pages };
    };
    const { seen, pages } = await waitFor(collect, ({ seen: s }) => paid.every((no) => s.includes(no)));
    expect(seen).not.toContain(unpaid);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.every((p) => p.data.length <= 2)).toBe(true);
    const first = pages.flatMap((p) => p.data).find((p) => p.merchantOrderNo === paid[0]);
    expect(first).toMatchObject({ status: 'PAID', amount: '300', currency, codepayTransNo: expect.any(String) });
    expect(Date.parse(first!.createdAt)).toBeGreaterThanOrEqual(Date.parse(since));

    // The dev server is shared with test files running in parallel: other payments may be listed too.
    const awaiting = await waitFor(() => list(`status=AWAITING_PAYMENT&currency=${currency}&createdAfter=${encodeURIComponent(since)}`), (a) => a.body.data.some((p) => p.merchantOrderNo === unpaid));
    expect(awaiting.body.data.every((p) => p.status === 'AWAITING_PAYMENT' && !paid.includes(p.merchantOrderNo))).toBe(true);
    expect((await list(`status=PAID&createdBefore=${encodeURIComponent(since)}&currency=${currency}&limit=100`)).body.data.map((p) => p.merchantOrderNo)).not.toContain(paid[0]);
  });

  it.each([
    ['an unknown status', 'status=SETTLED', 'status'],
    ['a lower-case status', 'status=paid', 'status'],
    ['an unknown currency', 'currency=XYZ', 'currency'],
    ['a date that is not ISO-8601', 'createdAfter=yesterday', 'createdAfter'],
    ['a limit above 100', 'limit=101', 'limit'],
    ['a limit of 0', 'limit=0', 'limit'],
    ['an unknown filter', 'colour=red', 'colour'],
    ['a forged cursor', 'cursor=bm9wZQ', 'cursor'],
  ])('answers 400 for %s', async (_name, query, field) => {
    const answer = await list(query);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ type: `${PROBLEM}validation` });
    expect((answer.body as unknown as Problem).errors?.map((e) => e.field)).toContain(field);
  });

  it('answers 400 for a cursor of another listing', async () => {
    await create(orderNo('LC'));
    await create(orderNo('LC'));
    const page = await waitFor(() => list('limit=1'), (a) => a.body.nextCursor !== null);
    const answer = await list(`status=PAID&limit=1&cursor=${encodeURIComponent(page.body.nextCursor!)}`);
    expect(answer.status).toBe(400);
    expect((answer.body as unknown as Problem).detail).toContain('other filters');
  });

  it('answers 401 without a key', async () => {
    const answer = await stack.api<Problem>('GET', '/v1/payments?status=PAID', undefined, { authorization: '' });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ type: `${PROBLEM}unauthorized` });
  });

  it('shows each event\'s delivery in the payment view, and redelivers one on request', async () => {
    const no = orderNo('WH');
    await create(no);
    await stack.sandbox('POST', `/sandbox/orders/${no}/pay`);
    const delivered = await waitFor(() => view(no), (p) => p.webhooks.length === 2 && p.webhooks.every((w) => w.status === 'delivered'));
    expect(schema.errors('Payment', delivered)).toEqual([]);
    expect(delivered.webhooks.map((w) => [w.type, w.attempts, w.lastStatus])).toEqual([
      ['payment.awaiting_payment', 1, 204],
      ['payment.paid', 1, 204],
    ]);
    const paidEvent = delivered.webhooks[1]!;
    const received = () => receiver.delivered().filter((a) => a.id === paidEvent.eventId);
    expect(received()).toHaveLength(1);

    down = true;
    const again = await stack.api<WebhookDeliveryView>('POST', `/v1/payments/${no}/events/${paidEvent.eventId}/redeliver`);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ eventId: paidEvent.eventId, status: 'pending' });
    const failed = await waitFor(() => view(no), (p) => p.webhooks[1]!.status === 'failed');
    expect(failed.webhooks[1]).toMatchObject({ attempts: 3, lastStatus: 500, lastError: 'HTTP 500' });
    down = false;
    await stack.api('POST', `/v1/payments/${no}/events/${paidEvent.eventId}/redeliver`);
    await waitFor(async () => received(), (r) => r.length === 2);
    expect(received().every((a) => a.verifiedBySpec && a.body.type === 'payment.paid')).toBe(true);

    const unknown = await stack.api<Problem>('POST', `/v1/payments/${no}/events/evt_nope_1/redeliver`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ type: `${PROBLEM}event-not-found` });
  });
});

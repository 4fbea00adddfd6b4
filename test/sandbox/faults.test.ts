import { parseFlatJson } from '../../src/codepay/flat-json';
import { parseNotification } from '../../src/codepay/notification';
import { verifyFields } from '../../src/codepay/signing';
import { NO_FAULTS } from '../../src/sandbox/faults';
import { waitFor } from '../harness/wait-for';
import { gatewayKeys, orderNo, startFixture } from './support/sandbox-fixture';
import { startReceiver } from './support/receiver';

type Fixture = Awaited<ReturnType<typeof startFixture>>;

/** A small seedable PRNG (mulberry32), as a chaos run would inject. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sandbox faults', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ notifyTimeScale: 0.00001 });
  });
  afterAll(() => f.close());
  afterEach(() => f.setFaults(NO_FAULTS));

  describe('PUT/GET /sandbox/faults', () => {
    it('starts with no faults and merges partial updates', async () => {
      expect((await f.control('GET', '/sandbox/faults')).body).toEqual(NO_FAULTS);
      await f.setFaults({ errorRate: 0.25 });
      const merged = await f.setFaults({ latencyMs: 10 });
      expect(merged).toEqual({ ...NO_FAULTS, errorRate: 0.25, latencyMs: 10 });
      expect((await f.control('GET', '/sandbox/faults')).body).toEqual(merged);
    });

    it.each([
      ['a rate above 1', { errorRate: 1.5 }],
      ['a negative delay', { latencyMs: -1 }],
      ['a fractional delay', { refundDelayMs: 1.5 }],
      ['a string rate', { dropNotifications: '0.5' }],
      ['an unknown knob', { chaos: true }],
      ['not an object', [1]],
    ])('refuses %s with a 400 problem and keeps the faults', async (_name, body) => {
      await f.setFaults({ timeoutRate: 0.1 });
      const answer = await f.control<{ type: string; errors: unknown[] }>('PUT', '/sandbox/faults', body);
      expect(answer.status).toBe(400);
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
      expect(answer.body.errors.length).toBeGreaterThan(0);
      expect((await f.control('GET', '/sandbox/faults')).body).toEqual({ ...NO_FAULTS, timeoutRate: 0.1 });
    });
  });

  it('errorRate: answers 502/503 without processing', async () => {
    await f.setFaults({ errorRate: 1 });
    const no = orderNo('F');
    const answer = await f.createOrder(no);
    expect([502, 503]).toContain(answer.httpStatus);
    await f.setFaults({ errorRate: 0 });
    expect((await f.call('order.query', { merchant_order_no: no })).code).toBe('E04111');
  });

  it('latencyMs: the answer comes no sooner than the latency', async () => {
    await f.setFaults({ latencyMs: 300 });
    const started = performance.now();
    expect((await f.createOrder(orderNo('F'))).code).toBe('0');
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('timeoutRate: commits the request but never answers', async () => {
    await f.setFaults({ timeoutRate: 1 });
    const no = orderNo('F');
    const request = JSON.stringify(f.request('pay.unifiedorder', { merchant_order_no: no, price_currency: 'USD', order_amount: '1.00', description: 'x', terminal_type: 'WAP', expires: '60' }));
    await expect(
      fetch(`${f.url}/api/entry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: request, signal: AbortSignal.timeout(500) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await f.order(no)).status).toBe(9);
  });

  it('badSignatureRate: responses and notifications are signed with a key that does not verify', async () => {
    const receiver = await startReceiver();
    try {
      const no = orderNo('F');
      expect((await f.createOrder(no, { notify_url: receiver.url })).signatureValid).toBe(true);
      await f.setFaults({ badSignatureRate: 1 });
      const answer = await f.call('order.query', { merchant_order_no: no });
      expect(answer.code).toBe('0');
      expect(parseFlatJson(answer.raw).sign).toBeTruthy();
      expect(answer.signatureValid).toBe(false);
      await f.pay(no);
      await waitFor(() => Promise.resolve(receiver.received.length), (n) => n >= 1);
      const [delivery] = receiver.received;
      expect(verifyFields(parseFlatJson(delivery!.body), gatewayKeys.publicKey)).toBe(false);
      expect(parseNotification(delivery!.body, delivery!.contentType, [gatewayKeys.publicKey])).toMatchObject({ ok: false, reason: 'bad_signature' });
    } finally {
      await receiver.close();
    }
  });

  it('dropNotifications: attempts are recorded as dropped and nothing arrives; delivery resumes when lifted', async () => {
    const receiver = await startReceiver();
    try {
      await f.setFaults({ dropNotifications: 1 });
      const no = orderNo('F');
      await f.createOrder(no, { notify_url: receiver.url });
      await f.pay(no);
      await waitFor(() => f.order(no), (o) => o.notifications.length >= 3);
      expect(receiver.received).toHaveLength(0);
      await f.setFaults({ dropNotifications: 0 });
      const record = await waitFor(() => f.order(no), (o) => o.notifications.some((a) => a.outcome === 'acked'));
      expect(record.notifications.slice(0, 3).map((a) => a.outcome)).toEqual(['dropped', 'dropped', 'dropped']);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('duplicateNotifications: a delivered notification is sent twice', async () => {
    const receiver = await startReceiver();
    try {
      await f.setFaults({ duplicateNotifications: 1 });
      const no = orderNo('F');
      await f.createOrder(no, { notify_url: receiver.url });
      await f.pay(no);
      const record = await waitFor(() => f.order(no), (o) => o.notifications.length === 2);
      expect(record.notifications).toEqual([
        expect.objectContaining({ attempt: 1, outcome: 'acked' }),
        expect.objectContaining({ attempt: 1, outcome: 'acked', duplicate: true }),
      ]);
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
    } finally {
      await receiver.close();
    }
  });

  it('autoPayAfterMs: new orders are paid by themselves', async () => {
    await f.setFaults({ autoPayAfterMs: 20 });
    const no = orderNo('F');
    await f.createOrder(no);
    const record = await waitFor(() => f.order(no), (o) => o.status === 2);
    expect(record).toMatchObject({ paidAmountMinor: 1250 });
  });

  it('refundDelayMs: a refund stays in progress until the delay has passed', async () => {
    await f.setFaults({ refundDelayMs: 3_600_000 });
    const no = orderNo('F');
    await f.createOrder(no);
    await f.pay(no);
    const refundNo = orderNo('RF');
    expect((await f.refund(refundNo, no, '1.00')).data).toMatchObject({ trans_status: '0' });
    expect((await f.call('order.refund.query', { merchant_order_no: refundNo })).data).toMatchObject({ trans_status: '0' });
  });
});

describe('sandbox faults with an injected random source', () => {
  it('delayNotificationsMs: jitter in [0, delay] lets a later notification overtake an earlier one', async () => {
    // First delivery draws 0.99 (≈ the whole delay), the second 0 (none).
    const draws = [0.99, 0];
    const f = await startFixture({ random: () => draws.shift() ?? 0 });
    const receiver = await startReceiver();
    try {
      await f.setFaults({ delayNotificationsMs: 1500 });
      const [first, second] = [orderNo('A'), orderNo('B')];
      await f.createOrder(first, { notify_url: receiver.url });
      await f.createOrder(second, { notify_url: receiver.url });
      await f.pay(first);
      await f.pay(second);
      await waitFor(() => Promise.resolve(receiver.received.length), (n) => n === 2);
      expect(receiver.received.map((r) => (JSON.parse(r.body) as { merchant_order_no: string }).merchant_order_no)).toEqual([second, first]);
    } finally {
      await receiver.close();
      await f.close();
    }
  });

  it('the same seed gives the same fault decisions', async () => {
    const run = async () => {
      const f = await startFixture({ random: seeded(42) });
      try {
        await f.setFaults({ errorRate: 0.5 });
        const statuses: number[] = [];
        for (let i = 0; i < 12; i++) statuses.push((await f.call('order.query', { merchant_order_no: 'NOPE' })).httpStatus);
        return statuses;
      } finally {
        await f.close();
      }
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    expect(new Set(a).size).toBeGreaterThan(1);
  });
});

import { WorkflowNotFoundError } from '@temporalio/client';
import type { Problem } from '../../src/api/problem';
import { paymentWorkflowId } from '../../src/workflows/messages';
import { type ApiStack, orderNo, startApiStack, TEST_API_KEY } from './support/api-stack';

/**
 * POST /v1/payments under admission control (src/api/start-admission.ts), against the real dev
 * server, worker and sandbox: one start at a time, and CodePay slowed down so the one in flight
 * holds its slot for a while.
 */
describe('payment start admission (real dev server, worker, sandbox)', () => {
  let stack: ApiStack;
  const CODEPAY_LATENCY_MS = 1_500;
  beforeAll(async () => {
    // A generous Temporal budget: on a loaded machine the slowed start must not time out, this is about the queue.
    stack = await startApiStack({ app: { startAdmission: { concurrency: 1, queue: 1, maxWaitMs: 30_000 }, timeouts: { requestMs: 15_000 } } });
    expect((await stack.sandbox('PUT', '/sandbox/faults', { latencyMs: CODEPAY_LATENCY_MS })).status).toBe(200);
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);

  const payment = (no: string) => ({ merchantOrderNo: no, amount: '4.20', currency: 'USD', description: 'admission' });
  const timedStart = async (no: string, signal?: AbortSignal) => {
    const started = performance.now();
    const response = await fetch(`${stack.apiUrl}/v1/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(payment(no)),
      signal,
    });
    const body = (await response.json()) as Problem & { status: number | string };
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body, ms: performance.now() - started };
  };
  const started = async (no: string) => {
    try {
      await stack.temporal.client.workflow.getHandle(paymentWorkflowId(no)).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };
  const ordersAtCodePay = async (no: string) => {
    const ledger = (await (await stack.sandbox('GET', '/sandbox/ledger')).json()) as { orders: { merchantOrderNo: string }[] };
    return ledger.orders.filter((o) => o.merchantOrderNo === no).length;
  };

  it('answers a start over capacity 503 overloaded with Retry-After at once, starts nothing, and the retry completes it once', async () => {
    const [inFlight, queued, over] = [orderNo('ADM1'), orderNo('ADM2'), orderNo('ADM3')];
    const first = timedStart(inFlight);
    // The first holds the only slot (CodePay answers after 1.5 s); the second takes the one queue place.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = timedStart(queued);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await timedStart(over);

    expect(refused.status).toBe(503);
    expect(refused.body.type).toBe('urn:codepay-temporal:problem:overloaded');
    // Refused before any work: the problem says nothing was sent (docs/design.md §4).
    expect(refused.body.outcome).toBe('not-started');
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    // At once: before the start in flight could free its slot (CodePay alone keeps it 1.5 s). Not a
    // latency target: API, worker and sandbox share this jest process's event loop (91–283 ms seen at load 11–14).
    expect(refused.ms).toBeLessThan(CODEPAY_LATENCY_MS);
    expect(await started(over)).toBe(false);

    // The queued one waited for the slot instead of being refused; both complete.
    expect((await first).status).toBe(201);
    const waited = await second;
    expect(waited.status).toBe(201);
    expect(waited.ms).toBeGreaterThan(CODEPAY_LATENCY_MS);

    // The shop retries the refused request as it was: it starts now, once.
    const retried = await timedStart(over);
    expect(retried.status).toBe(201);
    expect(await ordersAtCodePay(over)).toBe(1);
    expect((await timedStart(over)).status).toBe(200);
    expect(await ordersAtCodePay(over)).toBe(1);
  });

  it('never sends a queued start whose client went away', async () => {
    const [inFlight, gone] = [orderNo('ADM4'), orderNo('ADM5')];
    const first = timedStart(inFlight);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const leaving = new AbortController();
    const abandoned = timedStart(gone, leaving.signal).catch((err: Error) => err.name);
    await new Promise((resolve) => setTimeout(resolve, 100));
    leaving.abort();
    expect(await abandoned).toBe('AbortError');

    expect((await first).status).toBe(201);
    // The slot is free again and nothing was queued behind it: a start now would be sent at once.
    const after = await timedStart(orderNo('ADM6'));
    expect(after.status).toBe(201);
    expect(await started(gone)).toBe(false);
    expect(await ordersAtCodePay(gone)).toBe(0);
  });
});

import { createCodePayActivities } from '../../src/activities/codepay-activities';
import { problemType, type Problem } from '../../src/api/problem';
import type { PaymentResponse, RefundResponse } from '../../src/views/payment-response';
import { codepayNotificationSignal, paymentWorkflowId } from '../../src/workflows/messages';
import { createTestWorker } from '../harness/temporal';
import { waitFor } from '../harness/wait-for';
import { type ApiStack, orderNo, startApiStack } from './support/api-stack';

/**
 * A 503 on a write does not mean "not done" (docs/design.md §4): Temporal may have accepted the
 * update and run it after the API's deadline. The problem says so (`outcome: unknown`) and tells how
 * to retry safely; these tests make the update outlast the deadline and then see it take effect.
 */
describe('a write whose Temporal call outlasts the deadline answers 503 with outcome unknown', () => {
  let stack: ApiStack;
  const REQUEST_MS = 1_500;
  /**
   * CodePay's latency while the payment's lock is held: longer than the API's deadline, shorter than
   * the stack's CodePay client timeout (5 s), longer than the local first attempt (2 s).
   */
  const LATENCY_MS = 4_000;
  beforeAll(async () => {
    stack = await startApiStack({ app: { timeouts: { requestMs: REQUEST_MS } } });
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);

  const payment = (no: string) => ({ merchantOrderNo: no, amount: '5.00', currency: 'USD', description: 'outcomes' });
  const status = async (no: string) => (await stack.api<PaymentResponse>('GET', `/v1/payments/${no}`)).body.status;

  it('a refund taken by the workflow after the deadline: 503 outcome unknown, retry with the same refundNo, which is then the one refund', async () => {
    const no = orderNo('OUTR');
    const refundNo = `${no}-R1`;
    expect((await stack.api('POST', '/v1/payments', payment(no))).status).toBe(201);
    expect((await stack.sandbox('POST', `/sandbox/orders/${no}/pay`)).status).toBe(200);
    await waitFor(() => status(no), (s) => s === 'PAID');
    // A conversation with a slow CodePay holds the payment's lock (confirming a refund made in the
    // portal): the refund's update is accepted and waits for it, past the API's deadline.
    expect((await stack.sandbox('PUT', '/sandbox/faults', { latencyMs: LATENCY_MS })).status).toBe(200);
    try {
      const handle = stack.temporal.client.workflow.getHandle(paymentWorkflowId(no));
      await handle.signal(codepayNotificationSignal, { kind: 'refund', fact: { refundNo: `PR${no}`, origMerchantOrderNo: no, transStatus: 2, currency: 'USD', amountMinor: 100 } });
      // Its local first attempt timed out and the query goes on as an activity task: the workflow
      // answers queries again (the API reads the payment first) while the lock stays held.
      await waitFor(async () => (await handle.describe()).raw.pendingActivities?.length ?? 0, (n) => n > 0);
      const answer = await stack.api<Problem>('POST', `/v1/payments/${no}/refunds`, { refundNo, amount: '2.00' });
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ type: problemType('temporal-unavailable'), outcome: 'unknown' });
      expect(answer.body.detail).toContain(`same refundNo ${refundNo}`);
      expect(answer.body.detail).toContain(`/v1/payments/${no}/refunds/${refundNo}`);
    } finally {
      await stack.sandbox('PUT', '/sandbox/faults', { latencyMs: 0 });
    }
    // It was taken: the refund exists without any retry, and is paid out at CodePay.
    const refund = await waitFor(
      () => stack.api<RefundResponse>('GET', `/v1/payments/${no}/refunds/${refundNo}`),
      (r) => r.status === 200 && r.body.status === 'SUCCEEDED',
    );
    expect(refund.body).toMatchObject({ refundNo, amount: '2.00' });
    // The retry the detail asks for is answered with that refund, not a second one.
    const retried = await stack.api<RefundResponse>('POST', `/v1/payments/${no}/refunds`, { refundNo, amount: '2.00' });
    expect(retried.status).toBe(200);
    expect(retried.body.refundNo).toBe(refundNo);
    const ledger = (await (await stack.sandbox('GET', `/sandbox/orders/${no}`)).json()) as { refunds: Array<{ refundNo: string }> };
    expect(ledger.refunds.map((r) => r.refundNo)).toEqual([refundNo]);
  }, 60_000);

  it('a cancel sent while no worker runs: 503 outcome unknown, and it is applied once a worker is back', async () => {
    const no = orderNo('OUTC');
    expect((await stack.api('POST', '/v1/payments', payment(no))).status).toBe(201);
    await stack.stopWorker();
    const answer = await stack.api<Problem>('POST', `/v1/payments/${no}/cancel`);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ type: problemType('temporal-unavailable'), outcome: 'unknown' });
    expect(answer.body.detail).toMatch(/cancel of payment \w+ may have been taken/);
    // A read before any write was sent knows nothing was taken: no outcome.
    const read = await stack.api<Problem>('GET', `/v1/payments/${no}`);
    expect(read.status).toBe(503);
    expect(read.body.outcome).toBeUndefined();

    const worker = await createTestWorker(stack.temporal, { taskQueue: stack.taskQueue, activities: createCodePayActivities(stack.codepay) });
    await worker.runUntil(waitFor(() => status(no), (s) => s === 'CANCELLED'));
  }, 60_000);
});

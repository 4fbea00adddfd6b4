import { Client, Connection } from '@temporalio/client';
import { RECONCILIATION_SCHEDULE_ID } from '../../src/reconciliation/schedule';
import type { Stack } from '../../src/tools/stack';
import { waitFor } from '../harness/wait-for';
import { apiClient, startE2eStack } from '../support/e2e-stack';
import { freePort } from '../support/free-port';
import { listeningAddresses } from '../support/listening';

interface PaymentJson {
  merchantOrderNo: string;
  status: string;
  cashierUrl: string;
  amount: string;
  paidAmount: string;
  codepayTransNo?: string;
  refundedAmount: string;
  refundableAmount: string;
  refunds: { refundNo: string; status: string; amount: string }[];
  events: { type: string; message: string }[];
}

/** The whole system over real HTTP: API, worker and sandbox processes on the shared dev server. */
describe('end to end over HTTP', () => {
  let stack: Stack;
  let api: ReturnType<typeof apiClient>;
  const orderNo = (tag: string) => `E2E${tag}${Date.now()}`;
  const sandbox = (method: string, route: string, body?: unknown) =>
    fetch(`${stack.sandboxUrl}${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const paymentStatus = (no: string, status: string, timeoutMs = 45_000) =>
    waitFor(
      async () => (await api<PaymentJson>('GET', `/v1/payments/${no}`)).body,
      (p) => p.status === status && p.refunds.every((r) => r.status !== 'PENDING'),
      { timeoutMs, intervalMs: 250 },
    );

  beforeAll(async () => {
    stack = await startE2eStack({ WORKER_METRICS_PORT: String(await freePort()) });
    api = apiClient(stack);
  }, 120_000);
  afterAll(() => stack?.stop(), 60_000);

  it('listens on loopback only when BIND_HOST is not set (the embedded default)', () => {
    expect(listeningAddresses(stack.config.apiPort)).toEqual(['127.0.0.1']);
    expect(listeningAddresses(stack.config.sandbox.port)).toEqual(['127.0.0.1']);
    expect(listeningAddresses(stack.config.worker.metricsPort)).toEqual(['127.0.0.1']);
  });
  afterEach(async () => {
    await sandbox('PUT', '/sandbox/faults', { dropNotifications: 0 });
  });

  it('has the daily reconciliation schedule once the worker runs (RECONCILIATION_CRON default: 02:30 UTC)', async () => {
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const schedule = await new Client({ connection }).schedule.getHandle(RECONCILIATION_SCHEDULE_ID).describe();
      expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconciliationWorkflow', args: [{ trigger: 'schedule' }] });
      expect(schedule.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] })]);
      expect(schedule.policies.overlap).toBe('SKIP');
    } finally {
      await connection.close();
    }
  });

  it('pays through the cashier, then refunds partially and fully', async () => {
    const no = orderNo('PAY');
    const request = { merchantOrderNo: no, amount: '12.50', currency: 'USD', description: 'Green tea x2' };
    const created = await api<PaymentJson>('POST', '/v1/payments', request);
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('AWAITING_PAYMENT');

    const again = await api<PaymentJson>('POST', '/v1/payments', request);
    expect(again.status).toBe(200);
    expect(again.body.cashierUrl).toBe(created.body.cashierUrl);

    const cashier = await fetch(created.body.cashierUrl);
    expect(cashier.status).toBe(200);
    expect(await cashier.text()).toContain('12.50');

    expect((await sandbox('POST', `/sandbox/orders/${no}/pay`)).status).toBe(200);
    const paid = await paymentStatus(no, 'PAID');
    expect(paid.paidAmount).toBe('12.50');
    expect(paid.events.map((e) => e.type)).toContain('notified');

    const partial = await api('POST', `/v1/payments/${no}/refunds`, { refundNo: `${no}R1`, amount: '2.50' });
    expect(partial.status).toBe(201);
    const partly = await paymentStatus(no, 'PARTIALLY_REFUNDED');
    expect(partly.refundedAmount).toBe('2.50');
    expect(partly.refundableAmount).toBe('10.00');

    const full = await api('POST', `/v1/payments/${no}/refunds`, { refundNo: `${no}R2`, amount: '10.00' });
    expect(full.status).toBe(201);
    const refunded = await paymentStatus(no, 'REFUNDED');
    expect(refunded.refundedAmount).toBe('12.50');
    expect(refunded.refunds.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);

    const ledger = (await (await sandbox('GET', `/sandbox/orders/${no}`)).json()) as { refunds: unknown[] };
    expect(ledger.refunds).toHaveLength(2);
  });

  it('completes an open payment after the sandbox crashed and restarted (its books survive)', async () => {
    const no = orderNo('CRASH');
    const created = await api<PaymentJson>('POST', '/v1/payments', { merchantOrderNo: no, amount: '4.20', currency: 'USD', description: 'Flat white' });
    expect(created.status).toBe(201);
    await stack.restart('sandbox', 'SIGKILL');
    expect((await sandbox('POST', `/sandbox/orders/${no}/pay`)).status).toBe(200);
    const paid = await paymentStatus(no, 'PAID');
    expect(paid.paidAmount).toBe('4.20');
    // The order made before the crash is in the restarted sandbox's books, paid with the trans_no we
    // recorded (whether its notification or our poll told us first depends on the machine's load).
    const record = (await (await sandbox('GET', `/sandbox/orders/${no}`)).json()) as { transNo: string; paidAmount?: string; notifications: unknown[] };
    expect(record.transNo).toBe(paid.codepayTransNo);
    expect(record.paidAmount).toBe('4.20');
    expect(record.notifications.length).toBeGreaterThan(0);
  });

  it('finds a payment whose notification was lost by polling CodePay', async () => {
    await sandbox('PUT', '/sandbox/faults', { dropNotifications: 1 });
    const no = orderNo('LOST');
    const created = await api('POST', '/v1/payments', {
      merchantOrderNo: no,
      amount: '300',
      currency: 'JPY',
      description: 'Onigiri',
    });
    expect(created.status).toBe(201);
    expect((await sandbox('POST', `/sandbox/orders/${no}/pay`)).status).toBe(200);
    const paid = await paymentStatus(no, 'PAID');
    expect(paid.paidAmount).toBe('300');
    expect(paid.events.map((e) => e.type)).not.toContain('notified');
    expect(paid.events.map((e) => e.type)).toContain('polled');
  });

  it('expires an unpaid order at its deadline and closes it at CodePay', async () => {
    const no = orderNo('EXP');
    const created = await api<PaymentJson & { expiresAt: string }>('POST', '/v1/payments', {
      merchantOrderNo: no,
      amount: '1.000',
      currency: 'KWD',
      description: 'Left in the cart',
      expiresInSeconds: 60,
    });
    expect(created.status).toBe(201);
    const expired = await paymentStatus(no, 'EXPIRED', 100_000);
    expect(expired.paidAmount).toBe('0.000');
    const record = (await (await sandbox('GET', `/sandbox/orders/${no}`)).json()) as { status: number };
    expect(record.status).toBe(1);
    expect((await sandbox('POST', `/sandbox/orders/${no}/pay`)).status).toBe(409);
  }, 120_000);
});

import pino from 'pino';
import { startPaymentGauges } from '../../src/api/payment-gauges';
import { waitFor } from '../harness/wait-for';
import { type ApiStack, orderNo, startApiStack } from './support/api-stack';

/** The gauges over the run's real dev server: a waiting payment is counted and its age shows. */
describe('payments_by_status and payments_oldest_age_seconds', () => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack();
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);

  const sample = async (name: string, status: string) => {
    const metric = await stack.metrics.registry.getSingleMetric(name)!.get();
    return metric.values.find((v) => v.labels.status === status)?.value;
  };

  it('counts payments by status from visibility and reports the oldest waiting one\'s age', async () => {
    const gauges = startPaymentGauges({ client: stack.temporal.client, namespace: 'default', metrics: stack.metrics, intervalMs: 60_000, logger: pino({ enabled: false }) });
    try {
      const no = orderNo('GAUGE');
      expect((await stack.api('POST', '/v1/payments', { merchantOrderNo: no, amount: '1.00', currency: 'USD', description: 'Gauge' })).status).toBe(201);
      // The payment was created before this moment: its age at any later scrape is at least the time since.
      const answered = Date.now();
      // Visibility is eventually consistent: refresh until the new payment is counted.
      await waitFor(
        async () => {
          await gauges.refresh();
          return sample('payments_by_status', 'AWAITING_PAYMENT');
        },
        (count) => (count ?? 0) >= 1,
        { timeoutMs: 15_000, intervalMs: 300 },
      );
      // Every status has a series, zero or not.
      expect(await sample('payments_by_status', 'REFUNDED')).toBeGreaterThanOrEqual(0);
      const scraped = Date.now();
      const age = await sample('payments_oldest_age_seconds', 'AWAITING_PAYMENT');
      // At least as old as this payment (other tests' payments on the shared server may be older).
      expect(age).toBeGreaterThanOrEqual((scraped - answered) / 1000);
      expect(await stack.metrics.registry.metrics()).toMatch(/^payments_by_status\{status="AWAITING_PAYMENT"\} [1-9]/m);
    } finally {
      gauges.stop();
    }
  });
});

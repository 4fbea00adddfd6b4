import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createCodePayActivities } from '../../src/activities/codepay-activities';
import { requireBinaryPath, TEMPORAL_TEST_SERVER } from '../../src/tools/temporal-binaries';
import { paymentWorkflowId, type PaymentView } from '../../src/workflows/messages';
import { paymentWorkflow } from '../../src/workflows/payment-workflow';
import { PAYMENT_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { BUNDLE_PATH_ENV } from '../harness/env-names';
import { uniqueTaskQueue, webhooksOff } from '../harness/temporal';
import { FakeCodePay } from './fake-codepay';
import { notifyPayment, paymentInput } from './scenarios';

/** Real timings (15-minute expiry, default poll schedule, 30-day refund window) on the time-skipping server. */
describe('payment workflow timers (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: requireBinaryPath(TEMPORAL_TEST_SERVER) } },
    });
    // The test server takes no --search-attribute flag; it does implement AddSearchAttributes.
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(PAYMENT_SEARCH_ATTRIBUTES.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!])),
    });
  });
  afterAll(() => env?.teardown());

  async function run(fake: FakeCodePay, overrides: Parameters<typeof paymentInput>[0], during?: (handle: ReturnType<typeof env.client.workflow.getHandle>) => Promise<void>): Promise<PaymentView> {
    const taskQueue = uniqueTaskQueue('timers');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: process.env[BUNDLE_PATH_ENV]! },
      activities: { ...webhooksOff(env.nativeConnection), ...createCodePayActivities(fake) },
    });
    return worker.runUntil(async () => {
      const input = paymentInput({ pollScheduleMs: undefined, ...overrides });
      const handle = await env.client.workflow.start(paymentWorkflow, { taskQueue, workflowId: paymentWorkflowId(input.merchantOrderNo), args: [input] });
      if (during) await during(handle);
      return handle.result();
    });
  }

  it('nobody pays in 15 minutes: EXPIRED, closed at CodePay, with at most 12 queries', async () => {
    const fake = new FakeCodePay();
    const view = await run(fake, { expiresInSeconds: 900 });
    expect(view.status).toBe('EXPIRED');
    expect(fake.count('cancelOrder')).toBe(1);
    expect(fake.count('queryOrder')).toBeLessThanOrEqual(12);
    expect(Date.parse(view.updatedAt) - Date.parse(view.createdAt)).toBeGreaterThanOrEqual(900_000);
  });

  it('a payment arriving between the deadline query and the close is recorded: CANCELLED, refunded by CodePay', async () => {
    const fake = new FakeCodePay();
    fake.payDuringCancel = true;
    const view = await run(fake, { expiresInSeconds: 900 });
    expect(view).toMatchObject({ status: 'CANCELLED', refundedByCancel: true, paidAmountMinor: 1250 });
    expect(view.events.some((e) => e.message.includes('shopper was refunded'))).toBe(true);
  });

  it('a payment found by the deadline query is PAID, and no close is sent', async () => {
    const fake = new FakeCodePay();
    fake.payOnQuery = 9;
    const view = await run(fake, { expiresInSeconds: 900 });
    expect(view.status).toBe('PAID');
    expect(fake.count('cancelOrder')).toBe(0);
  });

  it('a paid payment stays open through the 30-day refund window, then completes', async () => {
    const fake = new FakeCodePay();
    const refundWindowMs = 30 * 24 * 3600 * 1000;
    const before = await env.currentTimeMs();
    const view = await run(fake, { refundWindowMs }, async (handle) => {
      const input = await waitForOrder(fake);
      await notifyPayment(handle, fake.pay(input));
    });
    expect(view.status).toBe('PAID');
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(refundWindowMs);
  });
});

async function waitForOrder(fake: FakeCodePay): Promise<string> {
  for (;;) {
    const [no] = fake.orders.keys();
    if (no) return no;
    await new Promise((r) => setTimeout(r, 20));
  }
}

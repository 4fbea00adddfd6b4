import { Writable } from 'node:stream';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { problemType, type Problem } from '../../src/api/problem';
import type { PaymentResponse } from '../../src/views/payment-response';
import { merchantWebhooksWorkflowId, paymentWorkflowId } from '../../src/workflows/messages';
import { uniqueTaskQueue } from '../harness/temporal';
import { waitFor } from '../harness/wait-for';
import { type ApiStack, orderNo, startApiStack, TEST_API_KEY, TEST_OPERATOR_KEY } from './support/api-stack';

/**
 * Reads that survive (issue 20 item 7): a completed payment is read from its result with no worker
 * running; an open one with no worker answers 503 + Retry-After; one whose workflow task keeps
 * failing answers its own problem type, never a bare 500, and the failure is logged with the
 * workflow id.
 */
describe('payment reads when workers are gone or the workflow task fails', () => {
  let stack: ApiStack;
  const logged: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'error' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  beforeAll(async () => {
    stack = await startApiStack({ app: { logger, timeouts: { requestMs: 2_000 } } });
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);

  const payment = (no: string) => ({ merchantOrderNo: no, amount: '3.00', currency: 'USD', description: 'reads' });

  it('answers every route reading a workflow whose task keeps failing with a problem, never a bare 500: reads with workflow-task-failing (503, Retry-After 30), logged with the workflow id', async () => {
    const no = orderNo('BROKEN');
    const taskQueue = uniqueTaskQueue('broken');
    // No sticky cache: every query replays the history, and the replay of this code fails.
    const broken = await Worker.create({
      connection: stack.temporal.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./support/broken-payment-workflow'),
      maxCachedWorkflows: 0,
    });
    await broken.runUntil(async () => {
      const client = stack.temporal.client;
      const handles = [
        await client.workflow.start('paymentWorkflow', { taskQueue, workflowId: paymentWorkflowId(no), args: [] }),
        await client.workflow.start('merchantWebhookWorkflow', { taskQueue, workflowId: merchantWebhooksWorkflowId(no), args: [] }),
      ];
      // Their first tasks completed (the timers are recorded): from now on only replays fail.
      for (const handle of handles) await waitFor(async () => (await handle.describe()).historyLength, (length) => length >= 5);

      const answer = await stack.api<Problem>('GET', `/v1/payments/${no}`);
      expect(answer.status).toBe(503);
      expect(answer.contentType).toContain('application/problem+json');
      expect(answer.body.type).toBe(problemType('workflow-task-failing'));
      expect(answer.body.detail).toMatch(/[Nn]ondeterminism/);
      const again = await fetch(`${stack.apiUrl}/v1/payments/${no}`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
      expect([again.status, again.headers.get('retry-after')]).toEqual([503, '30']);
      expect(logged).toContainEqual(expect.objectContaining({ workflowId: paymentWorkflowId(no), problem: 'workflow-task-failing', path: `/v1/payments/${no}` }));

      // The other routes that read it: refunds (they read the payment first) and the webhook deliveries.
      const reads = [
        await stack.api<Problem>('GET', `/v1/payments/${no}/refunds/${no}-R1`),
        await stack.api<Problem>('POST', `/v1/payments/${no}/refunds`, { refundNo: `${no}-R1`, amount: '1.00' }),
        await stack.api<Problem>('POST', `/v1/payments/${no}/events/evt_${no}_1/redeliver`),
      ];
      expect(reads.map((r) => [r.status, r.body.type])).toEqual(Array(3).fill([503, problemType('workflow-task-failing')]));
      expect(logged).toContainEqual(expect.objectContaining({ workflowId: merchantWebhooksWorkflowId(no), problem: 'workflow-task-failing' }));
      // Updates wait for a task that never completes: their deadline answers (503, outcome unknown: a write that was sent may still be taken).
      const updates = [
        await stack.api<Problem>('POST', `/v1/payments/${no}/cancel`),
        await stack.api<Problem>('POST', `/v1/payments/${no}/review`, { decision: 'close_as_failed', reason: 'test' }, { authorization: `Bearer ${TEST_OPERATOR_KEY}` }),
      ];
      for (const update of updates) {
        expect(update.status).toBe(503);
        expect([problemType('temporal-unavailable'), problemType('workflow-task-failing')]).toContain(update.body.type);
      }
      for (const handle of handles) await handle.terminate('test over');
    });
  }, 120_000);

  it('reads a completed payment from its result with no worker running; an open one answers 503 with Retry-After', async () => {
    const closed = orderNo('CLOSED');
    const open = orderNo('OPEN');
    expect((await stack.api('POST', '/v1/payments', payment(closed))).status).toBe(201);
    expect((await stack.api('POST', '/v1/payments', payment(open))).status).toBe(201);
    expect((await stack.api('POST', `/v1/payments/${closed}/cancel`)).status).toBe(200);
    await waitFor(
      async () => (await stack.temporal.client.workflow.getHandle(paymentWorkflowId(closed)).describe()).status.name,
      (status) => status === 'COMPLETED',
    );
    await stack.stopWorker();

    const read = await stack.api<PaymentResponse>('GET', `/v1/payments/${closed}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ merchantOrderNo: closed, status: 'CANCELLED', amount: '3.00' });

    const unanswered = await stack.api<{ type: string }>('GET', `/v1/payments/${open}`);
    expect(unanswered.status).toBe(503);
    expect(unanswered.body.type).toBe(problemType('temporal-unavailable'));
    expect(Number((await fetch(`${stack.apiUrl}/v1/payments/${open}`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } })).headers.get('retry-after'))).toBeGreaterThan(0);
  }, 60_000);
});

import type { PaymentResponse } from '../../src/views/payment-response';
import type { ReconciliationResponse } from '../../src/api/reconciliations-schemas';
import type { ReportSummary } from '../../src/reconciliation/report';
import type { OrderRecord, RefundRecord } from '../../src/sandbox/record-view';
import { RECONCILIATION_WORKFLOW_TYPE, type ReconciliationInput } from '../../src/workflows/reconciliation-messages';
import { waitFor } from '../harness/wait-for';
import { type ApiStack, orderNo, startApiStack, startPaymentRetrying, TEST_OPERATOR_KEY } from './support/api-stack';
import { openApiValidator } from './support/openapi-validator';

/**
 * The books over HTTP (docs/design.md §11): a reconciliation run against the sandbox as CodePay, with
 * the worker's reconciliation activities and the API reading the same report folder.
 */
describe('reconciliation and CSV export over HTTP (in-process app, real dev server, worker, sandbox)', () => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack();
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);
  const schema = openApiValidator();
  const operator = { authorization: `Bearer ${TEST_OPERATOR_KEY}` };

  const getPayment = async (no: string) => (await stack.api<PaymentResponse>('GET', `/v1/payments/${no}`)).body;
  const newPayment = async (tag: string, amount = '10.00') => {
    const no = orderNo(tag);
    expect((await startPaymentRetrying(stack, { merchantOrderNo: no, amount, currency: 'USD', description: 'Books' })).status).toBe(201);
    return no;
  };
  const paidPayment = async (tag: string, amount?: string) => {
    const no = await newPayment(tag, amount);
    expect((await stack.sandbox('POST', `/sandbox/orders/${no}/pay`)).status).toBe(200);
    await waitFor(() => getPayment(no), (p) => p.status === 'PAID');
    return no;
  };
  const reconcile = async (from: string, to: string) => {
    const started = await stack.api<{ id: string; status: string }>('POST', '/v1/reconciliations', { from, to }, operator);
    expect(started.status).toBe(202);
    expect(schema.errors('ReconciliationStarted', started.body)).toEqual([]);
    return started.body.id;
  };
  const report = (id: string) => stack.api<ReconciliationResponse>('GET', `/v1/reconciliations/${id}`, undefined, operator);
  const finished = (id: string) => waitFor(() => report(id).then((r) => r.body), (r) => r.status !== 'RUNNING', { timeoutMs: 45_000 });

  it('reports the payment overridden at CodePay as exactly one status exception, the others matched or pending, totals as the sandbox ledger sums', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const refunded = await paidPayment('RCR');
    expect((await stack.api('POST', `/v1/payments/${refunded}/refunds`, { refundNo: orderNo('RCRF'), amount: '2.00' })).status).toBe(201);
    await waitFor(() => getPayment(refunded), (p) => p.status === 'PARTIALLY_REFUNDED');
    const paid = await paidPayment('RCP', '7.25');
    const open = await newPayment('RCO');
    const overridden = await paidPayment('RCX');
    expect((await stack.sandbox('POST', `/sandbox/orders/${overridden}/override`, { transStatus: 3 })).status).toBe(200);
    const to = new Date(Date.now() + 1000).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // visibility catches up within about a second

    const id = await reconcile(from, to);
    // The same window while it runs answers the same run.
    expect((await stack.api<{ id: string }>('POST', '/v1/reconciliations', { from, to }, operator)).body.id).toBe(id);
    const result = await finished(id);
    expect(schema.errors('Reconciliation', result)).toEqual([]);
    expect(result).toMatchObject({ id, status: 'COMPLETED', trigger: 'api', checked: 4, total: 4, matched: 2, pending: 1, exceptionCount: 1 });
    expect(result.exceptions).toEqual([{ merchantOrderNo: overridden, kind: 'status', ours: { status: 'PAID', paidAmount: '10.00' }, codepay: { transStatus: 3, paidAmount: '10.00' } }]);
    expect(result.pendingPayments).toEqual([{ merchantOrderNo: open, ageSeconds: expect.any(Number), reason: expect.stringContaining('not final') }]);

    // The reconciliation moved no money: it pointed, and the payment went to review with the evidence.
    const flagged = await waitFor(() => getPayment(overridden), (p) => p.status === 'NEEDS_REVIEW');
    expect(flagged).toMatchObject({ paidAmount: '10.00', refundedAmount: '0.00' });
    expect(flagged.review?.evidence).toMatchObject({ reconciliationId: id, '1.status.ours.status': 'PAID', '1.status.codepay.transStatus': 3 });
    expect((await getPayment(paid)).status).toBe('PAID');

    const ledger = (await (await stack.sandbox('GET', '/sandbox/ledger')).json()) as { orders: OrderRecord[]; refunds: RefundRecord[] };
    const ours = new Set([refunded, paid, open, overridden]);
    const paidMinor = ledger.orders.filter((o) => ours.has(o.merchantOrderNo) && o.status === 2).reduce((sum, o) => sum + (o.paidAmountMinor ?? 0), 0);
    const refundedMinor = ledger.refunds.filter((r) => ours.has(r.origMerchantOrderNo) && r.status === 2).reduce((sum, r) => sum + r.amountMinor, 0);
    expect(paidMinor).toBe(1725);
    expect(result.totals).toEqual([{ currency: 'USD', paid: '17.25', refunded: (refundedMinor / 100).toFixed(2), net: ((paidMinor - refundedMinor) / 100).toFixed(2) }]);
    expect(refundedMinor).toBe(200);

    const csv = await stack.api<string>('GET', `/v1/reconciliations/${id}`, undefined, { ...operator, accept: 'text/csv' });
    expect(csv.contentType).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('row,merchantOrderNo,kind,ageSeconds,reason,ours,codepay,currency,paid,refunded,net');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['exception', 'pending', 'total']);
    expect(lines[1]).toContain(`exception,${overridden},status,,,"{""status"":""PAID""`);
    expect(lines[3]).toBe('total,,,,,,,USD,17.25,2.00,15.25');

    const metrics = await stack.api<string>('GET', '/metrics');
    expect(metrics.body).toMatch(/^codepay_reconciliation_last_exceptions 1$/m);
    expect(metrics.body).toMatch(/^codepay_reconciliation_last_pending 1$/m);
    const finishedAt = Number(/^codepay_reconciliation_last_run_timestamp_seconds (\S+)$/m.exec(metrics.body)?.[1]);
    expect(Math.abs(finishedAt * 1000 - Date.now())).toBeLessThan(120_000);

    // The same window a page at a time, continuing as new every few events: the counts and totals carry over.
    const chained = `reconciliation-chained-${id}`;
    const carried = await stack.temporal.client.workflow.execute<(input: ReconciliationInput) => Promise<ReportSummary>>(RECONCILIATION_WORKFLOW_TYPE, {
      taskQueue: stack.taskQueue,
      workflowId: chained,
      args: [{ from, to, trigger: 'api', pageSize: 1, continueAsNewAfterEvents: 12 }],
    });
    // The overridden payment is in review now: pending, not an exception again.
    expect(carried).toMatchObject({ status: 'COMPLETED', checked: 4, total: 4, matched: 2, pending: 2, exceptions: 0, totals: { USD: { paidMinor: 1725, refundedMinor: 200 } } });
    let runs = 0;
    for await (const _run of stack.temporal.client.workflow.list({ query: `WorkflowId = '${chained}'` })) runs += 1;
    expect(runs).toBeGreaterThan(1);

    // Newest first, a page at a time.
    type Page = { data: { id: string }[]; nextCursor: string | null };
    const first = await stack.api<Page>('GET', '/v1/reconciliations?limit=1', undefined, operator);
    expect(first.status).toBe(200);
    expect(first.body.data.map((r) => r.id)).toEqual([chained]);
    const second = await stack.api<Page>('GET', `/v1/reconciliations?limit=1&cursor=${first.body.nextCursor}`, undefined, operator);
    expect(second.body).toEqual({ data: [expect.objectContaining({ id, status: 'COMPLETED', exceptionCount: 1 })], nextCursor: null });
  });

  it('rides out a CodePay outage: the run waits, retrying, and completes once CodePay answers again', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const no = await paidPayment('RCOUT');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const to = new Date().toISOString();
    expect((await stack.sandbox('PUT', '/sandbox/faults', { errorRate: 1 })).status).toBe(200);
    try {
      const id = await reconcile(from, to);
      // Counted (this payment, and the earlier tests' payments still open), then held at its first query while CodePay answers 502.
      const counted = await waitFor(() => report(id).then((r) => r.body), (r) => r.total >= 1, { timeoutMs: 30_000 });
      expect(counted).toMatchObject({ status: 'RUNNING', checked: 0 });
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect((await report(id)).body).toMatchObject({ status: 'RUNNING', checked: 0, total: counted.total });
      expect((await stack.sandbox('PUT', '/sandbox/faults', { errorRate: 0 })).status).toBe(200);
      const done = await finished(id);
      expect(done).toMatchObject({ status: 'COMPLETED', checked: counted.total, exceptions: [], totals: [{ currency: 'USD', paid: '10.00', refunded: '0.00', net: '10.00' }] });
      expect(done.pendingPayments.map((p) => p.merchantOrderNo)).not.toContain(no);
      expect((await getPayment(no)).status).toBe('PAID');
    } finally {
      await stack.sandbox('PUT', '/sandbox/faults', { errorRate: 0 });
    }
  });

  it('is for operators only: a merchant key gets 403, a bad window 400, an unknown run 404', async () => {
    const window = { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };
    expect((await stack.api('POST', '/v1/reconciliations', window)).status).toBe(403);
    expect((await stack.api('GET', '/v1/reconciliations')).status).toBe(403);
    expect((await stack.api('POST', '/v1/reconciliations', { from: window.to, to: window.from }, operator)).status).toBe(400);
    expect((await stack.api('GET', '/v1/reconciliations/reconciliation-nope', undefined, operator)).status).toBe(404);
  });

  it('exports payments as CSV with the list filters, every page', async () => {
    const createdAfter = new Date(Date.now() - 1000).toISOString();
    const nos = [await paidPayment('CSVA', '1.50'), await newPayment('CSVB', '2.00')];
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const csv = await stack.api<string>('GET', `/v1/payments?createdAfter=${encodeURIComponent(createdAfter)}`, undefined, { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.contentType).toMatch(/^text\/csv/);
    const [header, ...rows] = csv.body.trim().split('\r\n');
    expect(header).toBe('merchantOrderNo,status,amount,currency,paidAmount,refundedAmount,codepayTransNo,createdAt,updatedAt');
    const byNo = new Map(rows.map((r) => [r.split(',')[0], r.split(',')]));
    expect(byNo.get(nos[0]!)?.slice(1, 6)).toEqual(['PAID', '1.50', 'USD', '1.50', '0.00']);
    expect(byNo.get(nos[1]!)?.slice(1, 6)).toEqual(['AWAITING_PAYMENT', '2.00', 'USD', '0.00', '0.00']);
    const paidOnly = await stack.api<string>('GET', `/v1/payments?status=PAID&createdAfter=${encodeURIComponent(createdAfter)}`, undefined, { accept: 'text/csv' });
    expect(paidOnly.body.trim().split('\r\n').slice(1).map((r) => r.split(',')[0])).toEqual([nos[0]]);
  });
});

import type { PaymentResponse } from '../../src/views/payment-response';
import { withSignature } from '../../src/codepay/signing';
import { waitFor } from '../harness/wait-for';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { type ApiStack, orderNo, startApiStack, startPaymentRetrying, TEST_OPERATOR_KEY } from './support/api-stack';
import { identity } from './support/notification-fields';
import type { ReconciliationResponse } from '../../src/api/reconciliations-schemas';

/**
 * Refunds made outside the service (docs/design.md §11): a refund in CodePay's merchant portal is
 * notified under a refund number we never issued; confirmed with order.refund.query, it is adopted.
 */
describe('refunds made in CodePay’s portal (in-process app, real dev server, worker, sandbox)', () => {
  let stack: ApiStack;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(() => 204);
    stack = await startApiStack({ merchantWebhooks: { url: receiver.url, secrets: [receiver.secret], retryScheduleMs: [100, 100] } });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  }, 30_000);

  const operator = { authorization: `Bearer ${TEST_OPERATOR_KEY}` };
  const getPayment = async (no: string) => (await stack.api<PaymentResponse>('GET', `/v1/payments/${no}`)).body;
  const paidPayment = async (tag: string) => {
    const no = orderNo(tag);
    expect((await startPaymentRetrying(stack, { merchantOrderNo: no, amount: '10.00', currency: 'USD', description: 'Books' })).status).toBe(201);
    expect((await stack.sandbox('POST', `/sandbox/orders/${no}/pay`)).status).toBe(200);
    await waitFor(() => getPayment(no), (p) => p.status === 'PAID');
    return no;
  };

  it('adopts a portal refund of 3.00 on a paid 10.00 payment within 30 s: refundedAmount 3.00, PARTIALLY_REFUNDED, refund.succeeded with origin codepay', async () => {
    const no = await paidPayment('PORT');
    const portal = await stack.sandbox('POST', `/sandbox/orders/${no}/portal-refunds`, { amount: '3.00' });
    expect(portal.status).toBe(200);
    const { refunds } = (await portal.json()) as { refunds: { refundNo: string }[] };
    const refundNo = refunds[0]!.refundNo;

    const adopted = await waitFor(() => getPayment(no), (p) => p.status === 'PARTIALLY_REFUNDED', { timeoutMs: 30_000 });
    expect(adopted).toMatchObject({ refundedAmount: '3.00', paidAmount: '10.00', refundableAmount: '7.00' });
    expect(adopted.refunds).toEqual([expect.objectContaining({ refundNo, amount: '3.00', status: 'SUCCEEDED', origin: 'codepay' })]);
    const event = await waitFor(
      () => Promise.resolve(receiver.delivered().find((a) => a.body.type === 'refund.succeeded' && 'refundNo' in a.body.data && a.body.data.refundNo === refundNo)),
      (a) => a !== undefined,
      { timeoutMs: 30_000 },
    );
    expect(event!.body.data).toMatchObject({ merchantOrderNo: no, refundNo, amount: '3.00', origin: 'codepay' });
    expect(event!.verifiedByLibrary).toBe(true);

    // The books agree with CodePay, and the report lists the refund adopted in its window.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const window = { from: new Date(Date.parse(adopted.createdAt) - 1000).toISOString(), to: new Date(Date.now() + 1000).toISOString() };
    const started = await stack.api<{ id: string }>('POST', '/v1/reconciliations', window, operator);
    expect(started.status).toBe(202);
    const report = await waitFor(() => stack.api<ReconciliationResponse>('GET', `/v1/reconciliations/${started.body.id}`, undefined, operator).then((r) => r.body), (r) => r.status === 'COMPLETED', { timeoutMs: 45_000 });
    expect(report).toMatchObject({ checked: 1, matched: 1, exceptions: [], totals: [{ currency: 'USD', paid: '10.00', refunded: '3.00', net: '7.00' }] });
    expect(report.adopted).toEqual([{ merchantOrderNo: no, refundNo, amount: '3.00', currency: 'USD', at: expect.any(String) }]);
  });

  it('changes nothing for a forged one: validly signed, but CodePay’s query knows no such refund', async () => {
    const no = await paidPayment('FORG');
    const refundNo = orderNo('PRFAKE');
    const fields = withSignature(
      { ...identity, merchant_order_no: refundNo, orig_merchant_order_no: no, trans_no: `RT${refundNo}`, trans_type: '2', trans_status: '2', price_currency: 'USD', trans_amount: '3.00', order_amount: '10.00', trans_end_time: '2026-01-02 03:04:05' },
      stack.gateway.privateKey,
    );
    const answer = await fetch(`${stack.apiUrl}/webhooks/codepay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) });
    expect(answer.status).toBe(200);
    const after = await waitFor(() => getPayment(no), (p) => p.events.some((e) => e.type === 'ignored' && e.message.includes(`${refundNo} not adopted`)));
    expect(after).toMatchObject({ status: 'PAID', refundedAmount: '0.00', refunds: [] });
    expect(receiver.delivered().filter((a) => a.body.type === 'refund.succeeded' && JSON.stringify(a.body.data).includes(no))).toEqual([]);
  });
});

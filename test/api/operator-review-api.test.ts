import { createHash } from 'node:crypto';
import type { PaymentResponse, RefundResponse } from '../../src/views/payment-response';
import { problemType, type Problem } from '../../src/api/problem';
import { withSignature } from '../../src/codepay/signing';
import { waitFor } from '../harness/wait-for';
import { type ApiStack, orderNo, startApiStack, TEST_OPERATOR_KEY } from './support/api-stack';
import { identity } from './support/notification-fields';
import { openApiValidator } from './support/openapi-validator';


describe('operator review and refund numbers over HTTP (in-process app, real dev server, worker, sandbox)', () => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack();
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);
  const schema = openApiValidator();

  const operator = { authorization: `Bearer ${TEST_OPERATOR_KEY}` };
  const operatorId = `op-${createHash('sha256').update(TEST_OPERATOR_KEY).digest('hex').slice(0, 12)}`;
  const getPayment = async (no: string) => (await stack.api<PaymentResponse>('GET', `/v1/payments/${no}`)).body;
  const newPayment = async (tag: string) => {
    const no = orderNo(tag);
    expect((await stack.api('POST', '/v1/payments', { merchantOrderNo: no, amount: '12.50', currency: 'USD', description: 'Tea' })).status).toBe(201);
    return no;
  };
  const paidPayment = async (tag: string) => {
    const no = await newPayment(tag);
    expect((await stack.sandbox('POST', `/sandbox/orders/${no}/pay`)).status).toBe(200);
    await waitFor(() => getPayment(no), (p) => p.status === 'PAID');
    return no;
  };
  /**
   * A paid payment sent to NEEDS_REVIEW by a signed notification naming a second transaction (a
   * trans_no other than the one CodePay's query gave): notifications are claims, so a lie about the
   * amount alone would be refuted by Query order, but a second trans_no is evidence for an operator.
   */
  const inReview = async (tag: string) => {
    const no = await paidPayment(tag);
    const fields = withSignature(
      { ...identity, merchant_order_no: no, trans_no: `OTHER${no}`, trans_type: '1', trans_status: '2', price_currency: 'USD', order_amount: '12.50', paid_amount: '12.50', trans_end_time: '2026-01-02 03:04:05' },
      stack.gateway.privateKey,
    );
    const answer = await fetch(`${stack.apiUrl}/webhooks/codepay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) });
    expect(answer.status).toBe(200);
    await waitFor(() => getPayment(no), (p) => p.status === 'NEEDS_REVIEW');
    return no;
  };
  const review = (no: string, body: unknown, headers: Record<string, string> = operator) => stack.api<PaymentResponse & Omit<Problem, 'status'>>('POST', `/v1/payments/${no}/review`, body, headers);
  const accept = { decision: 'accept_codepay_record', reason: 'ticket 12: portal shows 12.50 paid' };

  describe('POST /v1/payments/:no/review', () => {
    it('needs an operator key: 401 without a key or with an unknown one, 403 with a merchant key', async () => {
      const no = await inReview('RVA');
      for (const headers of [{ authorization: '' }, { authorization: 'Bearer sk_test_wrong' }]) {
        const answer = await review(no, accept, headers);
        expect(answer.status).toBe(401);
        expect(answer.body.type).toBe(problemType('unauthorized'));
      }
      const merchant = await review(no, accept, {});
      expect(merchant.status).toBe(403);
      expect(merchant.body.type).toBe(problemType('forbidden'));
      // The operator key is for operator actions only.
      expect((await stack.api('GET', `/v1/payments/${no}`, undefined, operator)).status).toBe(401);
      expect((await getPayment(no)).status).toBe('NEEDS_REVIEW');
    });

    it('validates the decision (400), knows the payment (404) and its status (409)', async () => {
      const bad = await review(orderNo('RVB'), { decision: 'ship_it', reason: '' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors?.map((e) => e.field).sort()).toEqual(['decision', 'reason']);
      expect((await review(orderNo('RVN'), accept)).status).toBe(404);
      const paid = await paidPayment('RVP');
      const notInReview = await review(paid, accept);
      expect(notInReview.status).toBe(409);
      expect(notInReview.body.type).toBe(problemType('invalid-state'));
    });

    it('accept: CodePay’s record (paid, 12.50) becomes final; recorded with the operator’s identity, never the key', async () => {
      const no = await inReview('RVC');
      const decided = await review(no, accept);
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({
        status: 'PAID',
        paidAmount: '12.50',
        refundableAmount: '12.50',
        review: { reason: expect.stringContaining(`trans_no OTHER${no} differs`), resolution: { decision: 'accept_codepay_record', operator: operatorId, reason: accept.reason, transStatus: 2 } },
      });
      expect(schema.errors('Payment', decided.body)).toEqual([]);
      const events = decided.body.events.filter((e) => e.type === 'review' && e.data?.operator === operatorId);
      expect(events).toHaveLength(1);
      expect(JSON.stringify(decided.body)).not.toContain(TEST_OPERATOR_KEY);

      // The same decision retried (its answer lost): the reviewed payment again.
      expect(await review(no, accept)).toMatchObject({ status: 200, body: { status: 'PAID' } });
      // Now an ordinary paid payment: refundable.
      expect((await stack.api('POST', `/v1/payments/${no}/refunds`, { refundNo: `${no}R`, amount: '2.50' })).status).toBe(201);
    });

    it('close as failed: refused while CodePay holds the money, FAILED once CodePay refunded the shopper', async () => {
      const no = await inReview('RVF');
      const close = { decision: 'close_as_failed', reason: 'ticket 13: shop cancelled the order' };
      const refused = await review(no, close);
      expect(refused.status).toBe(409);
      expect(refused.body.type).toBe(problemType('review-refused'));
      await stack.codepay.cancelOrder(no);
      const decided = await review(no, close);
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ status: 'FAILED', refundedByCancel: true, error: { code: 'OPERATOR_CLOSED', message: close.reason } });
    });
  });

  describe('refund numbers are unique across payments, checked before a slot is used', () => {
    const refund = (no: string, refundNo: string) => stack.api<RefundResponse & Omit<Problem, 'status'>>('POST', `/v1/payments/${no}/refunds`, { refundNo, amount: '1.00' });

    it('refuses the payment’s own number, another payment’s number and another payment’s refund number (409), keeping every slot', async () => {
      const a = await paidPayment('RNA');
      const b = await paidPayment('RNB');
      expect((await refund(a, `${a}R`)).status).toBe(201);
      for (const [taken, why] of [
        [b, "the payment's own number"],
        [a, 'the number of a payment'],
        [`${a}R`, "another payment's refund"],
      ]) {
        const answer = await refund(b, taken!);
        expect({ taken, status: answer.status, type: answer.body.type }).toEqual({ taken, status: 409, type: problemType('refund-no-conflict') });
        expect(answer.body.detail).toContain(why);
      }
      const view = await getPayment(b);
      expect(view.refunds).toEqual([]);
      expect(view.refundableAmount).toBe('12.50');
      expect((await refund(b, `${b}R`)).status).toBe(201);
    });

    it('two payments racing for one refund number: one refund, the other 409 with its slot released', async () => {
      const [a, b] = await Promise.all([paidPayment('RRA'), paidPayment('RRB')]);
      const refundNo = `${a}X`;
      const answers = await Promise.all([refund(a, refundNo), refund(b, refundNo)]);
      expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
      const [winner, loser] = answers[0]!.status === 201 ? [a, b] : [b, a];
      expect((await getPayment(loser)).refunds).toEqual([]);
      const ledger = (await (await stack.sandbox('GET', '/sandbox/ledger')).json()) as { refunds: { refundNo: string; origMerchantOrderNo: string }[] };
      expect(ledger.refunds.filter((r) => r.refundNo === refundNo)).toEqual([expect.objectContaining({ origMerchantOrderNo: winner })]);
    });
  });
});

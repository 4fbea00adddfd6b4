import type { Problem } from '../../src/api/problem';
import type { PaymentResponse, RefundResponse, StartPaymentResponse } from '../../src/views/payment-response';
import { waitFor } from '../harness/wait-for';
import { createOpenApiDocument } from '../../src/api/openapi';
import { type ApiStack, orderNo, paidPayment as paidPaymentVia, startApiStack } from './support/api-stack';
import { openApiValidator } from './support/openapi-validator';

const PROBLEM = 'urn:codepay-temporal:problem:';

describe('merchant API (in-process app, real dev server, worker, sandbox)', () => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack();
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);
  /** Every answer checked against the served OpenAPI document's schema for it. */
  const schema = openApiValidator();

  const payment = (no: string, extra: Record<string, unknown> = {}) => ({
    merchantOrderNo: no,
    amount: '12.50',
    currency: 'USD',
    description: 'Green tea x2',
    ...extra,
  });
  const getPayment = (no: string) => stack.api<PaymentResponse>('GET', `/v1/payments/${no}`);
  const untilStatus = (no: string, status: string) =>
    waitFor(
      async () => (await getPayment(no)).body,
      (p) => p.status === status && p.refunds.every((r) => r.status !== 'PENDING'),
    );
  const paidPayment = (tag: string) => paidPaymentVia(stack, tag);

  describe('authentication', () => {
    it.each([
      ['no header', {}],
      ['an unknown key', { authorization: 'Bearer sk_test_wrong' }],
      ['another scheme', { authorization: 'Basic c2tfdGVzdDp4' }],
    ])('answers 401 problem for %s', async (_name, headers) => {
      const answer = await stack.api<Problem>('GET', '/v1/payments/NOPE1', undefined, { authorization: '', ...headers });
      expect(answer.status).toBe(401);
      expect(answer.contentType).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ type: `${PROBLEM}unauthorized`, status: 401 });
    });

    it('accepts every configured key', async () => {
      const answer = await stack.api('GET', '/v1/payments/NOPE2', undefined, { authorization: 'Bearer sk_test_second_key' });
      expect(answer.status).toBe(404);
    });
  });

  describe('POST /v1/payments', () => {
    it('starts a payment (201), answers the same request again with 200 and the same cashier URL', async () => {
      const no = orderNo('NEW');
      const created = await stack.api<StartPaymentResponse>('POST', '/v1/payments', payment(no, { returnUrl: 'https://shop.example/back' }));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ merchantOrderNo: no, status: 'AWAITING_PAYMENT', amount: '12.50', currency: 'USD' });
      expect(created.body.cashierUrl).toMatch(/^http:\/\/(localhost|127\.0\.0\.1):\d+\/cashier\//);
      expect(Date.parse(created.body.expiresAt)).toBeGreaterThan(Date.now());
      expect(schema.errors('StartPaymentResponse', created.body)).toEqual([]);

      const again = await stack.api<StartPaymentResponse>('POST', '/v1/payments', payment(no, { returnUrl: 'https://shop.example/back' }));
      expect(again.status).toBe(200);
      expect(again.body).toEqual(created.body);

      const view = await getPayment(no);
      expect(view.status).toBe(200);
      expect(view.body).toMatchObject({
        merchantOrderNo: no,
        status: 'AWAITING_PAYMENT',
        amount: '12.50',
        paidAmount: '0.00',
        refundedAmount: '0.00',
        refundableAmount: '0.00',
        cashierUrl: created.body.cashierUrl,
        refunds: [],
      });
      expect(view.body.events.map((e) => e.type)).toContain('created');
      expect(schema.errors('Payment', view.body)).toEqual([]);
    });

    it('keeps amounts exact in currencies with 0 and 3 digits', async () => {
      const jpy = await stack.api<StartPaymentResponse>('POST', '/v1/payments', payment(orderNo('JPY'), { amount: '300', currency: 'JPY' }));
      expect(jpy.status).toBe(201);
      expect(jpy.body.amount).toBe('300');
      const kwd = await stack.api<StartPaymentResponse>('POST', '/v1/payments', payment(orderNo('KWD'), { amount: '1.005', currency: 'KWD' }));
      expect(kwd.status).toBe(201);
      expect(kwd.body.amount).toBe('1.005');
    });

    it('answers 409 for the same number with a different payload, even after a first success', async () => {
      const no = orderNo('DIFF');
      expect((await stack.api('POST', '/v1/payments', payment(no))).status).toBe(201);
      const other = await stack.api<Problem>('POST', '/v1/payments', payment(no, { amount: '99.00' }));
      expect(other.status).toBe(409);
      expect(other.body).toMatchObject({ type: `${PROBLEM}payload-mismatch`, status: 409 });
      expect(other.body.detail).toContain('amountMinor');
      // The first payment is untouched.
      expect((await getPayment(no)).body.amount).toBe('12.50');
    });

    it('answers 409 when a repeat differs in any other field, and 200 to the exact repeat', async () => {
      const no = orderNo('FIELDS');
      const first: Record<string, unknown> = payment(no, {
        returnUrl: 'https://shop.example/back',
        expiresInSeconds: 900,
        attach: 'basket-1',
        payMethodId: 'WeChatPay',
        language: 'en',
        shopper: { os: 'ANDROID', ip: '203.0.113.9' },
      });
      expect((await stack.api('POST', '/v1/payments', first)).status).toBe(201);
      const changes: Array<[string, Record<string, unknown>]> = [
        ['returnUrl', { returnUrl: 'https://shop.example/elsewhere' }],
        ['returnUrl', { returnUrl: undefined }],
        ['expiresInSeconds', { expiresInSeconds: 600 }],
        ['attach', { attach: 'basket-2' }],
        ['payMethodId', { payMethodId: 'Visa' }],
        ['language', { language: 'ja' }],
        ['shopper', { shopper: { os: 'IOS', ip: '203.0.113.9' } }],
        ['shopper', { shopper: undefined }],
      ];
      for (const [field, change] of changes) {
        const other = await stack.api<Problem>('POST', '/v1/payments', { ...first, ...change });
        expect({ field, status: other.status }).toEqual({ field, status: 409 });
        expect(other.body).toMatchObject({ type: `${PROBLEM}payload-mismatch` });
        expect(other.body.detail).toContain(field);
      }
      // Defaults count as given: no expiresInSeconds means PAYMENT_DEFAULT_EXPIRES_SECONDS (900).
      const sameByDefault = { ...first };
      delete sameByDefault.expiresInSeconds;
      expect((await stack.api('POST', '/v1/payments', sameByDefault)).status).toBe(200);
      expect((await stack.api('POST', '/v1/payments', first)).status).toBe(200);
    });

    it('answers 422 with CodePay\'s code when CodePay rejects the order', async () => {
      const no = orderNo('REJ');
      // The gateway already knows this number with another amount, so it refuses the order.
      await stack.codepay.createWapOrder({ merchantOrderNo: no, amountMinor: 100, currency: 'USD', description: 'elsewhere', expiresInSeconds: 900 });
      const answer = await stack.api<Problem>('POST', '/v1/payments', payment(no));
      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({ type: `${PROBLEM}gateway-rejected`, code: 'E04101' });
      expect((await getPayment(no)).body.status).toBe('FAILED');
    });

    it('answers 400 naming every bad field', async () => {
      const answer = await stack.api<Problem>('POST', '/v1/payments', {
        merchantOrderNo: 'has space',
        amount: '12.345',
        currency: 'USD',
        description: 'Tea 🍵',
        returnUrl: 'ftp://shop.example/back',
        expiresInSeconds: 5,
        shopper: { os: 'WINDOWS', ip: 'not-an-ip' },
        colour: 'green',
      });
      expect(answer.status).toBe(400);
      expect(answer.body.type).toBe(`${PROBLEM}validation`);
      const fields = answer.body.errors?.map((e) => e.field).sort();
      expect(fields).toEqual(['body', 'description', 'expiresInSeconds', 'merchantOrderNo', 'returnUrl', 'shopper.ip', 'shopper.os']);
      expect(answer.body.errors?.find((e) => e.field === 'body')?.message).toContain('colour');
      expect(schema.errors('Problem', answer.body)).toEqual([]);
    });

    it('checks the amount against the currency once the fields are valid', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ amount: '12.345' }, 'more than 2 decimals'],
        [{ amount: '1.5', currency: 'JPY' }, 'more than 0 decimals'],
        [{ amount: '0.00' }, 'greater than zero'],
        [{ amount: '-1' }, 'decimal string'],
        [{ amount: '1e3' }, 'decimal string'],
        [{ currency: 'XYZ' }, 'ISO-4217'],
      ];
      for (const [change, message] of cases) {
        const answer = await stack.api<Problem>('POST', '/v1/payments', payment(orderNo('AMT'), change));
        expect(answer.status).toBe(400);
        expect(answer.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining(message) })]);
      }
    });

    it('answers 400 for a body that is not JSON and 415 for another media type', async () => {
      const broken = await stack.api<Problem>('POST', '/v1/payments', '{"merchantOrderNo": ', { 'content-type': 'application/json' });
      expect(broken.status).toBe(400);
      expect(broken.body.errors).toEqual([{ field: 'body', message: 'not valid JSON' }]);
      const form = await stack.api<Problem>('POST', '/v1/payments', 'merchantOrderNo=X', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(form.status).toBe(415);
    });

    it('counts start outcomes in /metrics', async () => {
      const counts = async () => {
        const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
        const value = (outcome: string) => Number(new RegExp(`payments_start_requests_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1]);
        return { text, created: value('created'), existing: value('existing'), conflict: value('conflict'), rejected: value('rejected'), invalid: value('invalid') };
      };
      const before = await counts();
      const no = orderNo('MET');
      await stack.api('POST', '/v1/payments', payment(no));
      await stack.api('POST', '/v1/payments', payment(no));
      await stack.api('POST', '/v1/payments', payment(no, { description: 'other' }));
      await stack.api('POST', '/v1/payments', payment(no, { amount: 'x' }));
      const rejectedNo = orderNo('METR');
      await stack.codepay.createWapOrder({ merchantOrderNo: rejectedNo, amountMinor: 1, currency: 'USD', description: 'elsewhere', expiresInSeconds: 900 });
      await stack.api('POST', '/v1/payments', payment(rejectedNo));
      await getPayment(no);
      const after = await counts();
      for (const outcome of ['created', 'existing', 'conflict', 'rejected', 'invalid'] as const) {
        expect({ outcome, delta: after[outcome] - before[outcome] }).toEqual({ outcome, delta: 1 });
      }
      expect(after.text).toMatch(/http_request_duration_seconds_count\{route="\/v1\/payments",method="POST",status="201"\} \d+/);
      expect(after.text).toMatch(/http_request_duration_seconds_count\{route="\/v1\/payments\/:merchantOrderNo",method="GET",status="\d+"\} \d+/);
    });
  });

  describe('GET /v1/payments/:no', () => {
    it('answers 404 for an unknown payment and 400 for an invalid number', async () => {
      const unknown = await stack.api<Problem>('GET', `/v1/payments/${orderNo('UNKNOWN')}`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.type).toBe(`${PROBLEM}payment-not-found`);
      const invalid = await stack.api<Problem>('GET', `/v1/payments/${'x'.repeat(40)}`);
      expect(invalid.status).toBe(400);
      expect(invalid.body.errors?.[0]?.field).toBe('merchantOrderNo');
    });
  });

  describe('POST /v1/payments/:no/cancel', () => {
    it('cancels an unpaid payment; a retried cancel gets the same cancelled payment, also once it is closed', async () => {
      const no = orderNo('CXL');
      expect((await stack.api('POST', '/v1/payments', payment(no))).status).toBe(201);
      const cancelled = await stack.api<PaymentResponse>('POST', `/v1/payments/${no}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'CANCELLED', refundedByCancel: false });
      await waitFor(
        () => stack.temporal.client.workflow.getHandle(`payment-${no}`).describe(),
        (d) => d.status.name === 'COMPLETED',
      );
      const again = await stack.api<PaymentResponse>('POST', `/v1/payments/${no}/cancel`);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'CANCELLED', refundedByCancel: false });
      // A closed payment still reads, and its number is never started again.
      expect((await getPayment(no)).body.status).toBe('CANCELLED');
      const repeated = await stack.api<StartPaymentResponse>('POST', '/v1/payments', payment(no));
      expect(repeated.status).toBe(200);
      expect(repeated.body).toMatchObject({ merchantOrderNo: no, status: 'CANCELLED', amount: '12.50' });
      expect((await stack.api('POST', '/v1/payments', payment(no, { amount: '1.00' }))).status).toBe(409);
      const otherReturn = await stack.api<Problem>('POST', '/v1/payments', payment(no, { returnUrl: 'https://shop.example/x' }));
      expect(otherReturn.status).toBe(409);
      expect(otherReturn.body.detail).toContain('returnUrl');
    });

    it('answers 404 for an unknown payment', async () => {
      expect((await stack.api('POST', `/v1/payments/${orderNo('NOCXL')}/cancel`)).status).toBe(404);
    });
  });

  describe('refunds', () => {
    it('admits a refund (201), repeats it (200), and reads it', async () => {
      const no = await paidPayment('RFD');
      const refundNo = `${no}R`;
      const first = await stack.api<RefundResponse>('POST', `/v1/payments/${no}/refunds`, { refundNo, amount: '2.50', reason: 'one tea' });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ refundNo, amount: '2.50', currency: 'USD' });
      const again = await stack.api<RefundResponse>('POST', `/v1/payments/${no}/refunds`, { refundNo, amount: '2.50', reason: 'one tea' });
      expect(again.status).toBe(200);
      expect(again.body.refundNo).toBe(refundNo);

      const settled = await untilStatus(no, 'PARTIALLY_REFUNDED');
      expect(settled).toMatchObject({ paidAmount: '12.50', refundedAmount: '2.50', refundableAmount: '10.00' });
      const notCancellable = await stack.api<Problem>('POST', `/v1/payments/${no}/cancel`);
      expect(notCancellable.status).toBe(409);
      expect(notCancellable.body.type).toBe(`${PROBLEM}invalid-state`);
      expect(settled.refunds).toHaveLength(1);
      const read = await stack.api<RefundResponse>('GET', `/v1/payments/${no}/refunds/${refundNo}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ refundNo, amount: '2.50', status: 'SUCCEEDED' });
      expect(schema.errors('Refund', read.body)).toEqual([]);
      expect(schema.errors('Payment', settled)).toEqual([]);
      expect((await stack.api('GET', `/v1/payments/${no}/refunds/${no}NONE`)).status).toBe(404);
    });

    it('refuses conflicts (409), over-refunds (422) and bad amounts (400)', async () => {
      const no = await paidPayment('RFX');
      expect((await stack.api('POST', `/v1/payments/${no}/refunds`, { refundNo: `${no}A`, amount: '10.00' })).status).toBe(201);

      const conflict = await stack.api<Problem>('POST', `/v1/payments/${no}/refunds`, { refundNo: `${no}A`, amount: '1.00' });
      expect(conflict.status).toBe(409);
      expect(conflict.body.type).toBe(`${PROBLEM}refund-no-conflict`);

      const over = await stack.api<Problem>('POST', `/v1/payments/${no}/refunds`, { refundNo: `${no}B`, amount: '2.51' });
      expect(over.status).toBe(422);
      expect(over.body.type).toBe(`${PROBLEM}refund-amount`);

      const digits = await stack.api<Problem>('POST', `/v1/payments/${no}/refunds`, { refundNo: `${no}C`, amount: '0.001' });
      expect(digits.status).toBe(400);
      expect(digits.body.errors).toEqual([{ field: 'amount', message: expect.stringContaining('decimals') }]);

      const missing = await stack.api<Problem>('POST', `/v1/payments/${no}/refunds`, { amount: '1.00' });
      expect(missing.status).toBe(400);
      expect(missing.body.errors?.map((e) => e.field)).toEqual(['refundNo']);
    });

    it('answers 409 for a refund of an unpaid payment and 404 for an unknown one', async () => {
      const no = orderNo('RFU');
      expect((await stack.api('POST', '/v1/payments', payment(no))).status).toBe(201);
      const unpaid = await stack.api<Problem>('POST', `/v1/payments/${no}/refunds`, { refundNo: `${no}R`, amount: '1.00' });
      expect(unpaid.status).toBe(409);
      expect(unpaid.body.type).toBe(`${PROBLEM}invalid-state`);
      const unknown = await stack.api<Problem>('POST', `/v1/payments/${orderNo('RFN')}/refunds`, { refundNo: 'RFNR1', amount: '1.00' });
      expect(unknown.status).toBe(404);
    });
  });

  it('serves its OpenAPI document', async () => {
    const answer = await stack.api('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(createOpenApiDocument({ serverUrl: stack.apiUrl }));
  });

  it('answers unknown routes with a 404 problem', async () => {
    const answer = await stack.api<Problem>('GET', '/v2/nothing');
    expect(answer.status).toBe(404);
    expect(answer.body.type).toBe(`${PROBLEM}not-found`);
  });
});

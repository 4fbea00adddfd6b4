import { unreachableTemporal } from '../support/unreachable-temporal';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { createApiMetrics, WEBHOOK_STAGES } from '../../src/api/metrics';
import type { PaymentResponse } from '../../src/views/payment-response';
import type { Problem } from '../../src/api/problem';
import { notificationTarget } from '../../src/api/webhook-router';
import { withSignature } from '../../src/codepay/signing';
import { paymentWorkflowId } from '../../src/workflows/messages';
import { waitFor } from '../harness/wait-for';
import { freePort } from '../support/free-port';
import { generateTestKeyPair } from '../support/keys';
import { apiConfig, type ApiStack, listen, orderNo, startApiStack } from './support/api-stack';
import { identity, paidFields } from './support/notification-fields';

describe('webhook bridge (in-process app, real dev server)', () => {
  let stack: ApiStack;
  const otherKey = generateTestKeyPair();
  beforeAll(async () => {
    stack = await startApiStack();
    // Every notification in these tests is sent by the test itself, so counts are exact.
    expect((await stack.sandbox('PUT', '/sandbox/faults', { dropNotifications: 1 })).status).toBe(200);
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);

  const signed = (fields: Record<string, string>) => withSignature(fields, stack.gateway.privateKey);
  const notify = async (body: string, contentType = 'application/json') => {
    const response = await fetch(`${stack.apiUrl}/webhooks/codepay`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, text: await response.text() };
  };
  const view = async (no: string) => (await stack.api<PaymentResponse>('GET', `/v1/payments/${no}`)).body;
  const notified = async (no: string) => (await view(no)).events.filter((e) => e.type === 'notified').length;
  const webhookCount = async (result: string) => {
    const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    return Number(new RegExp(`codepay_webhook_notifications_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1]);
  };
  /** The shopper pays at CodePay: what a confirming Query order will then say. Returns CodePay's trans_no. */
  const payAtGateway = async (no: string) => {
    expect((await stack.sandbox('POST', `/sandbox/orders/${no}/pay`, {})).status).toBe(200);
    return ((await (await stack.sandbox('GET', `/sandbox/orders/${no}`)).json()) as { transNo: string }).transNo;
  };
  const newPayment = async (tag: string) => {
    const no = orderNo(tag);
    const created = await stack.api('POST', '/v1/payments', { merchantOrderNo: no, amount: '12.50', currency: 'USD', description: 'Tea' });
    expect(created.status).toBe(201);
    return no;
  };

  const stageCounts = async () => {
    const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    return Object.fromEntries(WEBHOOK_STAGES.map((stage) => [stage, Number(new RegExp(`codepay_webhook_stage_seconds_count\\{stage="${stage}"\\} (\\d+)`).exec(text)?.[1])]));
  };

  it('acknowledges a verified notification only after signalling it, and the payment is PAID', async () => {
    const no = await newPayment('WHOK');
    const transNo = await payAtGateway(no);
    const before = await webhookCount('acked');
    const stagesBefore = await stageCounts();
    const answer = await notify(JSON.stringify(signed(paidFields(no, transNo))));
    expect(answer).toEqual({ status: 200, text: 'success' });
    const paid = await waitFor(() => view(no), (p) => p.status === 'PAID');
    expect(paid).toMatchObject({ paidAmount: '12.50', codepayTransNo: transNo });
    expect(await webhookCount('acked')).toBe(before + 1);
    // Every stage of the route was timed once for it.
    expect(await stageCounts()).toEqual(Object.fromEntries(WEBHOOK_STAGES.map((stage) => [stage, stagesBefore[stage]! + 1])));
  });

  it('acknowledges a duplicate without a second effect', async () => {
    const no = await newPayment('WHDUP');
    const body = JSON.stringify(signed(paidFields(no, await payAtGateway(no))));
    expect(await notify(body)).toEqual({ status: 200, text: 'success' });
    const first = await waitFor(() => view(no), (p) => p.status === 'PAID');
    expect(await notify(body)).toEqual({ status: 200, text: 'success' });
    const second = await waitFor(() => view(no), (p) => p.events.filter((e) => e.type === 'notified').length === 2);
    const transitions = (p: PaymentResponse) => p.events.filter((e) => e.type === 'transition').map((e) => e.message);
    expect(transitions(second)).toEqual(transitions(first));
    expect(second).toMatchObject({ status: 'PAID', paidAmount: '12.50', refundedAmount: '0.00' });
  });

  it('takes the data-string and form-encoded forms', async () => {
    const no = await newPayment('WHFORM');
    const fields = paidFields(no, await payAtGateway(no));
    const packed = signed({ ...identity, data: JSON.stringify({ ...fields, app_id: undefined, merchant_no: undefined, sign_type: undefined }) });
    expect(await notify(JSON.stringify(packed))).toEqual({ status: 200, text: 'success' });
    await waitFor(() => view(no), (p) => p.status === 'PAID');
    const form = new URLSearchParams(signed(fields)).toString();
    expect(await notify(form, 'application/x-www-form-urlencoded')).toEqual({ status: 200, text: 'success' });
    expect(await waitFor(() => notified(no), (n) => n === 2)).toBe(2);
  });

  it('takes a JSON notification that starts with a UTF-8 byte order mark (some gateways\' HTTP stacks send one)', async () => {
    const no = await newPayment('WHBOM');
    const body = `\uFEFF${JSON.stringify(signed(paidFields(no, await payAtGateway(no))))}`;
    expect(Buffer.from(body).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(await notify(body)).toEqual({ status: 200, text: 'success' });
    await waitFor(() => view(no), (p) => p.status === 'PAID');
  });

  it('rejects what does not verify (401) without signalling', async () => {
    const no = await newPayment('WHSIG');
    const fields = paidFields(no);
    const before = await webhookCount('bad_signature');
    const stagesBefore = await stageCounts();
    const tampered = { ...signed({ ...fields, paid_amount: '0.01' }), paid_amount: '12.50' };
    const { sign: _sign, ...unsigned } = signed(fields);
    const cases = {
      'another key': withSignature(fields, otherKey.privateKey),
      'a field changed after signing': tampered,
      'no signature': unsigned,
      'a garbage signature': { ...fields, sign: 'AAAA' },
    };
    for (const [name, body] of Object.entries(cases)) {
      const response = await fetch(`${stack.apiUrl}/webhooks/codepay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect({ name, status: response.status }).toEqual({ name, status: 401 });
      expect(((await response.json()) as Problem).type).toBe('urn:codepay-temporal:problem:bad-signature');
    }
    expect(await webhookCount('bad_signature')).toBe(before + 4);
    // Timed as far as each got: the unsigned one is never verified, none is signalled.
    const stages = await stageCounts();
    expect(Object.fromEntries(WEBHOOK_STAGES.map((stage) => [stage, stages[stage]! - stagesBefore[stage]!]))).toEqual({ receive: 4, decode: 4, verify: 3, validate: 0, signal: 0, respond: 4 });
    const untouched = await view(no);
    expect(untouched.status).toBe('AWAITING_PAYMENT');
    expect(untouched.events.filter((e) => e.type === 'notified')).toHaveLength(0);
  });

  it('a signed "paid" CodePay does not confirm is acknowledged (the signal is durable) and leaves the payment unpaid', async () => {
    const no = await newPayment('WHLIE');
    expect(await notify(JSON.stringify(signed(paidFields(no))))).toEqual({ status: 200, text: 'success' });
    const refuted = await waitFor(() => view(no), (p) => p.events.some((e) => e.type === 'ignored'));
    expect(refuted).toMatchObject({ status: 'AWAITING_PAYMENT', paidAmount: '0.00' });
    // The real payment then completes normally.
    const transNo = await payAtGateway(no);
    expect(await notify(JSON.stringify(signed(paidFields(no, transNo))))).toEqual({ status: 200, text: 'success' });
    expect(await waitFor(() => view(no), (p) => p.status === 'PAID')).toMatchObject({ codepayTransNo: transNo });
  });

  it('refuses (403) a gateway-signed notification for another merchant, or naming none, without signalling', async () => {
    const no = await newPayment('WHFOREIGN');
    await payAtGateway(no);
    const before = await webhookCount('foreign_merchant');
    const { app_id: _app, ...noAppId } = paidFields(no);
    for (const fields of [{ ...paidFields(no), merchant_no: '100000000078' }, { ...paidFields(no), app_id: 'another-app' }, noAppId]) {
      const answer = await fetch(`${stack.apiUrl}/webhooks/codepay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(signed(fields)) });
      expect(answer.status).toBe(403);
      expect(((await answer.json()) as Problem).type).toBe('urn:codepay-temporal:problem:foreign-merchant');
    }
    expect(await webhookCount('foreign_merchant')).toBe(before + 3);
    const untouched = await view(no);
    expect(untouched).toMatchObject({ status: 'AWAITING_PAYMENT' });
    expect(untouched.events.filter((e) => e.type === 'notified')).toHaveLength(0);
  });

  it('rejects malformed (400) and oversize (413) bodies', async () => {
    const before = { malformed: await webhookCount('malformed'), tooLarge: await webhookCount('too_large') };
    expect((await notify('{"merchant_order_no": ')).status).toBe(400);
    expect((await notify('')).status).toBe(400);
    const { merchant_order_no: _no, ...withoutNumber } = paidFields('X');
    expect((await notify(JSON.stringify(signed(withoutNumber)))).status).toBe(400);
    const huge = JSON.stringify(signed({ ...paidFields('X'), attach: 'x'.repeat(70 * 1024) }));
    expect((await notify(huge)).status).toBe(413);
    expect(await webhookCount('malformed')).toBe(before.malformed + 3);
    expect(await webhookCount('too_large')).toBe(before.tooLarge + 1);
  });

  it('answers 404 for an unknown order and never starts a workflow', async () => {
    const no = orderNo('WHUNK');
    const answer = await notify(JSON.stringify(signed(paidFields(no))));
    expect(answer.status).toBe(404);
    await expect(stack.temporal.client.workflow.getHandle(paymentWorkflowId(no)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('acknowledges a notification for a closed payment without applying it', async () => {
    const no = await newPayment('WHCLOSED');
    expect((await stack.api('POST', `/v1/payments/${no}/cancel`)).status).toBe(200);
    await waitFor(() => stack.temporal.client.workflow.getHandle(paymentWorkflowId(no)).describe(), (d) => d.status.name === 'COMPLETED');
    const before = await webhookCount('closed');
    expect(await notify(JSON.stringify(signed({ ...paidFields(no), trans_status: '1' })))).toEqual({ status: 200, text: 'success' });
    expect(await webhookCount('closed')).toBe(before + 1);
    expect((await view(no)).status).toBe('CANCELLED');
  });

  it('routes refund notifications to the refund workflow', () => {
    expect(notificationTarget({ kind: 'refund', fact: { refundNo: 'R-1', transStatus: 2 } })).toBe('refund-R-1');
    expect(notificationTarget({ kind: 'payment', fact: { merchantOrderNo: 'M-1', transStatus: 2 } })).toBe('payment-M-1');
  });
});

describe('API without a reachable Temporal', () => {
  const gateway = generateTestKeyPair();
  let connection: Connection;
  let server: Awaited<ReturnType<typeof listen>>;
  const metrics = createApiMetrics({ processMetrics: false });

  beforeAll(async () => {
    // Nothing listens on this port: every call fails, the way a Temporal outage looks.
    connection = unreachableTemporal(`127.0.0.1:${await freePort()}`);
    server = await listen((url) =>
      createApp({
        config: apiConfig(url, 'unused', { webhook: { allowedIps: ['203.0.113.7'] }, trustProxy: 'loopback' }),
        clients: { temporal: new Client({ connection }) },
        gatewayPublicKeys: () => [gateway.publicKey],
        logger: pino({ enabled: false }),
        metrics,
        timeouts: { signalMs: 1_000, requestMs: 1_000, readinessMs: 500 },
      }),
    );
  });
  afterAll(async () => {
    await server.close();
    await connection.close();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/webhooks/codepay`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const signedBody = (no: string) => JSON.stringify(withSignature(paidFields(no), gateway.privateKey));

  it('answers 503 to a verified notification, so CodePay retries', async () => {
    const response = await post(signedBody('DOWN1'), { 'x-forwarded-for': '203.0.113.7' });
    expect(response.status).toBe(503);
    expect(((await response.json()) as Problem).type).toBe('urn:codepay-temporal:problem:temporal-unavailable');
    const text = await metrics.registry.metrics();
    expect(text).toContain('codepay_webhook_notifications_total{result="temporal_unavailable"} 1');
  });

  it('answers 403 to a source outside the allow-list, judged through the trusted proxy', async () => {
    expect((await post(signedBody('DOWN2'), { 'x-forwarded-for': '198.51.100.1' })).status).toBe(403);
    expect((await post(signedBody('DOWN3'))).status).toBe(403);
  });

  it('is alive but not ready, and the merchant API answers 503', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: 'not_ready',
      checks: { temporal: 'unreachable', apiKeys: 'ok', gatewayPublicKeys: 'ok' },
      secretFiles: [],
    });
    const read = await fetch(`${server.url}/v1/payments/DOWN4`, { headers: { authorization: 'Bearer sk_test_api_suite' } });
    expect(read.status).toBe(503);
  });
});

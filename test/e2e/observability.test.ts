import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Stack } from '../../src/tools/stack';
import { waitFor } from '../harness/wait-for';
import { startE2eStack } from '../support/e2e-stack';
import { freePort } from '../support/free-port';
import { metricNamesOfQueries, exposedMetricNames, sdkKnowsMetric } from '../support/metric-names';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';

const ROOT = path.resolve(__dirname, '../..');

/**
 * issue 23's "done when" on the real processes: they export to a local OTLP/HTTP receiver over
 * http/json; a payment started with a `traceparent` is one trace across codepay-api and
 * codepay-worker, down to the CodePay call, and no span carries key material. Their /metrics
 * carry the payment gauges and every metric the dashboard and the alert rules name.
 */
describe('traces and metrics of the running processes', () => {
  let receiver: OtlpReceiver;
  let stack: Stack;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startE2eStack({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      PAYMENT_GAUGE_SECONDS: '1',
      WORKER_METRICS_PORT: String(await freePort()),
    });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  }, 60_000);

  const ofTrace = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);

  it('continues the caller\'s traceparent through the API, the workflow and the CodePay call, without key material', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const no = `OTEL${Date.now()}`;
    const response = await fetch(`${stack.apiUrl}/v1/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json', traceparent: `00-${traceId}-${parentId}-01` },
      body: JSON.stringify({ merchantOrderNo: no, amount: '3.20', currency: 'USD', description: 'Traced tea' }),
    });
    expect(response.status).toBe(201);

    const spans = await waitFor(
      async () => ofTrace(traceId),
      (list) => list.some((s) => s.service === 'codepay-worker' && s.attributes['codepay.method'] === 'pay.unifiedorder') && ['POST /v1/payments', 'StartWorkflow:paymentWorkflow', 'StartActivity:createWapOrder'].every((name) => list.some((s) => s.name === name)),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const named = (name: string) => spans.find((s) => s.name === name)!;
    const server = named('POST /v1/payments');
    expect(server).toMatchObject({ service: 'codepay-api', parentSpanId: parentId, attributes: { 'codepay.merchant_order_no': no } });
    expect(named('StartWorkflow:paymentWorkflow')).toMatchObject({ service: 'codepay-api', parentSpanId: server.spanId });
    // The workflow run continues the start's trace (its RunWorkflow span is exported when the run ends).
    expect(named('StartActivity:createWapOrder')).toMatchObject({ service: 'codepay-worker' });
    const call = named('CodePay pay.unifiedorder');
    expect(call).toMatchObject({ service: 'codepay-worker', attributes: { 'codepay.method': 'pay.unifiedorder', 'codepay.merchant_order_no': no, 'codepay.result_code': '0', 'http.response.status_code': 200 } });
    const runActivity = named('RunActivity:createWapOrder');
    expect(call.parentSpanId).toBe(runActivity.spanId);
    expect(runActivity.parentSpanId).toBe(named('StartActivity:createWapOrder').spanId);
    // The payment's events name the trace they came from.
    const view = (await (await fetch(`${stack.apiUrl}/v1/payments/${no}`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).json()) as { events: { type: string; traceId?: string }[] };
    expect(view.events.filter((e) => e.type === 'created' || e.type === 'transition').map((e) => e.traceId)).toEqual([traceId, traceId]);
    // The sandbox continued the traceparent the CodePay client sent.
    expect(spans.some((s) => s.service === 'codepay-sandbox' && s.parentSpanId === call.spanId)).toBe(true);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['codepay-api', 'codepay-worker', 'codepay-sandbox']));
    expect(receiver.contentTypes).toContain('application/json');

    // Key material: the key files' text, the API key, the webhook secret, a signature attribute.
    const keyDir = path.join(String(stack.env.DATA_DIR), 'keys');
    const keyLines = readdirSync(keyDir)
      .flatMap((f) => readFileSync(path.join(keyDir, f), 'utf8').split('\n'))
      .filter((line) => line.length >= 40 && !line.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(0);
    const secrets = [stack.apiKey, stack.merchantWebhookSecret, ...keyLines];
    const everything = JSON.stringify(receiver.spans);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    for (const s of receiver.spans) expect(Object.keys(s.attributes).filter((k) => /sign|key|secret|authorization/i.test(k))).toEqual([]);
  });

  it('traces a notification as its own trace, found from the payment by the order number it carries', async () => {
    const no = `OTELN${Date.now()}`;
    const created = await fetch(`${stack.apiUrl}/v1/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ merchantOrderNo: no, amount: '1.00', currency: 'USD', description: 'Traced notification' }),
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${stack.sandboxUrl}/sandbox/orders/${no}/pay`, { method: 'POST' })).status).toBe(200);

    // The notification's trace: its signal, the confirming query, and the merchant webhook POST of payment.paid.
    const inTrace = (traceId: string, test: (s: (typeof receiver.spans)[number]) => boolean) => receiver.spans.some((s) => s.traceId === traceId && test(s));
    const webhook = await waitFor(
      async () => receiver.spans.find((s) => s.name === 'POST /webhooks/codepay' && s.attributes['codepay.merchant_order_no'] === no),
      (span) =>
        span !== undefined &&
        inTrace(span.traceId, (s) => s.name === 'HandleSignal:codepayNotification') &&
        inTrace(span.traceId, (s) => s.name === 'CodePay order.query') &&
        inTrace(span.traceId, (s) => s.name === 'merchant webhook POST' && s.attributes['merchant_webhook.event_type'] === 'payment.paid'),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const trace = ofTrace(webhook!.traceId);
    const signal = trace.find((s) => s.name === 'SignalWorkflow:codepayNotification')!;
    expect(signal).toMatchObject({ service: 'codepay-api', parentSpanId: webhook!.spanId, attributes: { temporalWorkflowId: `payment-${no}` } });
    expect(trace.find((s) => s.name === 'HandleSignal:codepayNotification')).toMatchObject({ service: 'codepay-worker', parentSpanId: signal.spanId });
    const start = receiver.spans.find((s) => s.name === 'POST /v1/payments' && s.attributes['codepay.merchant_order_no'] === no)!;
    expect(start.traceId).not.toBe(webhook!.traceId);
    // The notification's event names the notification's trace; the payment's creation names the start's.
    const view = (await (await fetch(`${stack.apiUrl}/v1/payments/${no}`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).json()) as { events: { type: string; message: string; traceId?: string }[] };
    expect(view.events.find((e) => e.type === 'notified')?.traceId).toBe(webhook!.traceId);
    expect(view.events.find((e) => e.type === 'transition' && e.message.includes('PAID'))?.traceId).toBe(webhook!.traceId);
    expect(view.events.find((e) => e.type === 'created')?.traceId).toBe(start.traceId);
  });

  it('serves payments_by_status on the API\'s /metrics, and exports every metric the dashboard and the alert rules query', async () => {
    const scrape = async (url: string) => (await fetch(url)).text();
    const apiText = await waitFor(() => scrape(`${stack.apiUrl}/metrics`), (text) => /^payments_by_status\{status="AWAITING_PAYMENT"\} [1-9]/m.test(text), { timeoutMs: 20_000, intervalMs: 500 });
    const workerText = await scrape(`http://127.0.0.1:${stack.config.worker.metricsPort}/metrics`);
    const exposed = new Set([...exposedMetricNames(apiText), ...exposedMetricNames(workerText)]);

    const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'deploy/grafana/dashboards/codepay-payments.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const dashboardQueries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    const ruleQueries = [...readFileSync(path.join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8').matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]!);
    const named = metricNamesOfQueries([...dashboardQueries, ...ruleQueries]);
    expect(named.size).toBeGreaterThan(15);

    // `up` is Prometheus's own; SDK series appear after their first event (a failure, say), so an
    // unseen temporal_* name must at least be one the SDK's core defines.
    const prometheusOwn = new Set(['up']);
    const unexported = [...named].filter(
      (name) => !exposed.has(name) && !prometheusOwn.has(name) && !(name.startsWith('temporal_') && sdkKnowsMetric(name)),
    );
    expect(unexported).toEqual([]);
    expect(apiText).toMatch(/^payments_oldest_age_seconds\{status="AWAITING_PAYMENT"\} /m);
  });
});

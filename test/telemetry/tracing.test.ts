import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { createCodePayClient } from '../../src/codepay/client';
import { ConfigError } from '../../src/config';
import type { HttpPostRequest } from '../../src/net/http-post';
import { traceLogFields } from '../../src/telemetry/log-fields';
import { inClientSpan } from '../../src/telemetry/spans';
import { startTracing, traceExportFromEnv, type Tracing } from '../../src/telemetry/tracing';
import { startOtlpReceiver } from '../support/otlp-receiver';
import { generateTestKeyPair } from '../support/keys';
import { waitFor } from '../harness/wait-for';

describe('which export the OTEL_* environment asks for', () => {
  it('is off with nothing set, and with the SDK disabled or the exporter none', () => {
    expect(traceExportFromEnv({})).toBeUndefined();
    expect(traceExportFromEnv({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' })).toBeUndefined();
    expect(traceExportFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(traceExportFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('exports OTLP over http/protobuf by default once an endpoint is given, http/json when asked', () => {
    expect(traceExportFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toEqual({ kind: 'otlp', protocol: 'http/protobuf' });
    expect(traceExportFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual({ kind: 'otlp', protocol: 'http/json' });
    expect(traceExportFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })).toEqual({ kind: 'otlp', protocol: 'http/protobuf' });
    expect(traceExportFromEnv({ OTEL_TRACES_EXPORTER: 'console' })).toEqual({ kind: 'console' });
  });

  it('refuses grpc and unknown exporters', () => {
    expect(() => traceExportFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(ConfigError);
    expect(() => traceExportFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(ConfigError);
  });
});

describe('tracing in a process', () => {
  let tracing: Tracing | undefined;
  const saved = { ...process.env };
  beforeEach(() => {
    for (const name of Object.keys(process.env)) if (name.startsWith('OTEL_')) delete process.env[name];
  });
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
    process.env = { ...saved };
  });

  it('registers nothing when the environment is unset: spans do not record and nothing is exported', async () => {
    tracing = startTracing({ serviceName: 'codepay-api' });
    expect(tracing).toBeUndefined();
    const recorded = await inClientSpan('CodePay order.query', {}, async (span) => span.isRecording());
    expect(recorded).toBe(false);
    expect(traceLogFields()).toEqual({});
  });

  it('sends spans to the OTLP endpoint over http/protobuf', async () => {
    const receiver = await startOtlpReceiver();
    try {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
      tracing = startTracing({ serviceName: 'codepay-api' });
      await inClientSpan('CodePay order.query', {}, async () => undefined);
      await tracing!.spanProcessor.forceFlush();
      await waitFor(async () => receiver.contentTypes, (types) => types.includes('application/x-protobuf'));
    } finally {
      await receiver.close();
    }
  });

  it('names the active span in every log line written inside it, and nothing outside', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = startTracing({ serviceName: 'codepay-worker', spanProcessor: new SimpleSpanProcessor(exporter) });
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
    const logger = pino({ mixin: traceLogFields }, sink);
    logger.info('outside');
    const ids = await inClientSpan('CodePay order.query', {}, async (span) => {
      logger.info('inside');
      await new Promise((r) => setImmediate(r));
      logger.info('inside, after an await');
      return span.spanContext();
    });
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
    expect(lines[2]).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId });
    expect(exporter.getFinishedSpans()[0]!.resource.attributes['service.name']).toBe('codepay-worker');
  });

  it("records a CodePay call's method, order number and outcome, sends its traceparent, and keeps the envelope out", async () => {
    const exporter = new InMemorySpanExporter();
    tracing = startTracing({ serviceName: 'codepay-worker', spanProcessor: new SimpleSpanProcessor(exporter) });
    const merchant = generateTestKeyPair();
    const sent: HttpPostRequest[] = [];
    const client = createCodePayClient({
      baseUrl: 'http://codepay.invalid',
      appId: 'app',
      merchantNo: '1000',
      privateKey: merchant.privateKey,
      gatewayPublicKeys: [merchant.publicKey],
      timeoutMs: 1_000,
      post: async (_url, request) => {
        sent.push(request);
        throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      },
    });
    await expect(client.queryOrder('ORDER-1')).rejects.toThrow('ECONNREFUSED');
    const [span] = exporter.getFinishedSpans();
    expect(span).toMatchObject({ name: 'CodePay order.query', attributes: { 'codepay.method': 'order.query', 'codepay.merchant_order_no': 'ORDER-1', 'codepay.outcome': 'transport' } });
    expect(sent[0]!.headers.traceparent).toBe(`00-${span!.spanContext().traceId}-${span!.spanContext().spanId}-01`);
    const sign = (JSON.parse(sent[0]!.body) as { sign: string }).sign;
    expect(JSON.stringify(span!.attributes)).not.toContain(sign);
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});

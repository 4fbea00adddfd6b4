/**
 * Tracing from the standard OpenTelemetry environment (docs/operations.md §9), for the API, the
 * worker and the sandbox alike. Nothing here is our own configuration: the OTEL_* variables decide.
 *
 * Off unless asked for: with no `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` and no `OTEL_TRACES_EXPORTER`
 * (or with `OTEL_SDK_DISABLED=true`, or `OTEL_TRACES_EXPORTER=none`) no provider is registered, the
 * OpenTelemetry API stays its no-op self and no connection is ever attempted, unlike the SDK's own
 * default of exporting to localhost:4318.
 */
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { z } from 'zod';
import { ConfigError } from '../config';

export const SERVICE_NAMES = { api: 'codepay-api', worker: 'codepay-worker', sandbox: 'codepay-sandbox' } as const;

const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** The variables this module reads itself; the exporters and the sampler read the rest (endpoint, headers, OTEL_TRACES_SAMPLER, OTEL_BSP_*). */
const OtelEnvSchema = z.object({
  OTEL_SDK_DISABLED: z.string().optional().transform((v) => blank(v)?.toLowerCase() === 'true'),
  OTEL_TRACES_EXPORTER: z.string().optional().transform(blank).pipe(z.enum(['otlp', 'console', 'none']).optional()),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional().transform(blank),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().optional().transform(blank),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.string().optional().transform(blank),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.string().optional().transform(blank),
});

export type TraceExport = { kind: 'otlp'; protocol: 'http/protobuf' | 'http/json' } | { kind: 'console' };

/** What the environment asks for, or undefined when tracing stays off. */
export function traceExportFromEnv(env: NodeJS.ProcessEnv): TraceExport | undefined {
  const parsed = OtelEnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`OpenTelemetry environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const v = parsed.data;
  if (v.OTEL_SDK_DISABLED || v.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (v.OTEL_TRACES_EXPORTER === 'console') return { kind: 'console' };
  if (v.OTEL_TRACES_EXPORTER === undefined && !v.OTEL_EXPORTER_OTLP_ENDPOINT && !v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  const protocol = v.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? v.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  // grpc would pull in a second gRPC stack beside Temporal's; an OpenTelemetry Collector or Jaeger takes OTLP/HTTP.
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') throw new ConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: use http/protobuf or http/json`);
  return { kind: 'otlp', protocol };
}

export interface Tracing {
  resource: Resource;
  /** Where every span of the process goes, the workflow spans from the worker's sink included. */
  spanProcessor: SpanProcessor;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `codepay-api`…; `OTEL_SERVICE_NAME` wins when set. */
  serviceName: string;
  /** Instead of the one the environment names (tests: an in-memory exporter). */
  exporter?: SpanExporter;
  /** Instead of a batch processor over the exporter (tests: a simple one, spans at once). */
  spanProcessor?: SpanProcessor;
}

function exporterFor(choice: TraceExport): SpanExporter {
  if (choice.kind === 'console') return new ConsoleSpanExporter();
  // Both read OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT themselves.
  return choice.protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtoExporter();
}

/**
 * Registers the process's tracer provider (global: the Temporal interceptors and our own spans use
 * the API's global tracer, W3C trace context and AsyncLocalStorage context), or returns undefined
 * and registers nothing when the environment does not ask for traces and no exporter is given.
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  // process.env only: the exporters and the sampler read their variables from there too.
  const choice = traceExportFromEnv(process.env);
  if (!choice && !options.exporter && !options.spanProcessor) return undefined;
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': options.serviceName }))
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, as the SDK defines them.
    .merge(envDetectorSync.detect());
  const spanProcessor = options.spanProcessor ?? new BatchSpanProcessor(options.exporter ?? exporterFor(choice!));
  // The sampler comes from OTEL_TRACES_SAMPLER / _ARG (default parentbased_always_on).
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    resource,
    spanProcessor,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
    },
  };
}

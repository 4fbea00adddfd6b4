/**
 * pino `mixin`: every log line written while a span is active names it, so a log search by
 * `trace_id` finds the lines of one trace in every process. Without tracing there is no active
 * span and nothing is added.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';

export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}
